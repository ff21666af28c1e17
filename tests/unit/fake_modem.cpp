#include "fake_modem.hpp"

#include <algorithm>

namespace relais::test {

Result<void> FakeModem::open() {
    if (fail_open) {
        return make_error(ErrorKind::unavailable, "modem_device_missing",
                          {{"path", "/dev/fake"}, {"detail", "missing"}});
    }
    open_ = true;
    ++opens;
    in_pdu_ = false;
    line_.clear();
    inbox_.clear();
    return success();
}

Result<std::size_t> FakeModem::write(std::string_view bytes) {
    if (lost || !open_) return make_error(ErrorKind::unavailable, "modem_device_error", {{"detail", "lost"}});
    written.append(bytes);
    for (char c : bytes) {
        if (in_pdu_) {
            if (c == '\x1A') {
                in_pdu_ = false;
                pdus.push_back(line_);
                line_.clear();
                if (cmgs_silent) continue;
                if (!cmgs_errors.empty()) {
                    answer("\r\n" + cmgs_errors.front() + "\r\n");
                    cmgs_errors.pop_front();
                } else {
                    const std::string second = cmgs_second_field.empty() ? "" : "," + cmgs_second_field;
                    answer("\r\n+CMGS: " + std::to_string(next_reference++ % 256) + second + "\r\n\r\nOK\r\n");
                }
            } else if (c == '\x1B') {
                in_pdu_ = false;
                line_.clear();
            } else {
                line_ += c;
            }
            continue;
        }
        if (c == '\r') {
            std::string line;
            line.swap(line_);
            if (!line.empty()) on_line(line);
        } else if (c != '\x1B' && c != '\n') {
            line_ += c;
        }
    }
    return bytes.size();
}

Result<std::string> FakeModem::read() {
    if (lost || !open_) return make_error(ErrorKind::unavailable, "modem_device_error", {{"detail", "lost"}});
    std::string out;
    out.swap(inbox_);
    return out;
}

bool FakeModem::saw(const std::string& command) const {
    return std::find(commands.begin(), commands.end(), command) != commands.end();
}

long FakeModem::count(const std::string& command) const {
    return static_cast<long>(std::count(commands.begin(), commands.end(), command));
}

int FakeModem::receive(const std::string& pdu_hex, bool announce) {
    int index = 1;
    while (stored.count(index)) ++index;
    stored[index] = {0, pdu_hex};
    if (announce) say("\r\n+CMTI: \"SM\"," + std::to_string(index) + "\r\n");
    return index;
}

void FakeModem::on_line(const std::string& line) {
    commands.push_back(line);
    if (echo) answer(line + "\r");
    if (std::find(refuse.begin(), refuse.end(), line) != refuse.end()) return answer("\r\nERROR\r\n");
    const auto ok = [this] { answer("\r\nOK\r\n"); };
    const auto info = [this](const std::string& l) { answer("\r\n" + l + "\r\n\r\nOK\r\n"); };
    if (line == "ATE0") echo = false;
    if (line == "AT+CNMI=?") return info(cnmi_test);
    if (line == "AT+CNMI?") return info("+CNMI: " + cnmi);
    if (line.rfind("AT+CNMI=", 0) == 0) {
        cnmi = line.substr(8);
        return ok();
    }
    if (line == "AT+CPMS=?") {
        return info(sr_store ? R"(+CPMS: ("SM","SR"),("SM"),("SM"))" : R"(+CPMS: ("SM"),("SM"),("SM"))");
    }
    if (line.rfind("AT+CPMS=\"", 0) == 0) {
        const std::string wanted = line.substr(9, line.find('"', 9) - 9);
        if (wanted != "SM" && !(wanted == "SR" && sr_store)) return answer("\r\n+CMS ERROR: 302\r\n");
        memory = wanted;
        return info("+CPMS: 0,30,0,30,0,30");
    }
    if (line == "AT+CSMS?") return info("+CSMS: " + std::to_string(csms) + ",1,1,1");
    if (line == "AT+CNMA") return cnma_refused ? answer("\r\n+CMS ERROR: 340\r\n") : ok();
    if (line == "AT" || line == "ATE0" || line == "AT+CMEE=1" || line == "AT+CMGF=0" || line == "AT+CMMS=2" ||
        line.rfind("AT+CREG=", 0) == 0 || line.rfind("AT+CEREG=", 0) == 0 || line == "AT+COPS=3,0") {
        return ok();
    }
    if (line == "AT+CGMI") return info("Fake Modems");
    if (line == "AT+CGMM") return info("FM-2");
    if (line == "AT+CGMR") return info("1.0");
    if (line == "AT+CGSN") return info("356938035643809");
    if (line == "AT+CPIN?") {
        if (cpin == "missing") return answer("\r\n+CME ERROR: 10\r\n");
        return info("+CPIN: " + cpin);
    }
    if (line.rfind("AT+CPIN=\"", 0) == 0) {
        if (line == "AT+CPIN=\"" + pin + "\"") {
            cpin = "READY";
            return ok();
        }
        return answer("\r\n+CME ERROR: 16\r\n");
    }
    if (line == "AT+CREG?") return info("+CREG: 2," + std::to_string(creg));
    if (line == "AT+CEREG?") return answer("\r\nERROR\r\n");  // a 2G/3G modem
    if (line == "AT+CSQ") return info("+CSQ: 21,99");
    if (line == "AT+COPS?") return info("+COPS: 0,0,\"Orange F\",7");
    if (line.rfind("AT+CMGS=", 0) == 0) {
        in_pdu_ = true;
        return answer("\r\n> ");
    }
    auto& store = memory == "SR" ? reports : stored;
    if (line == "AT+CMGL=4") {
        std::string out;
        for (const auto& [index, entry] : store) {
            const auto bytes = modem::from_hex(entry.second);
            const int tpdu = static_cast<int>(bytes->size()) - 1 - (*bytes)[0];
            out += "\r\n+CMGL: " + std::to_string(index) + "," + std::to_string(entry.first) + ",," +
                   std::to_string(tpdu) + "\r\n" + entry.second;
        }
        return answer(out + "\r\n\r\nOK\r\n");
    }
    if (line.rfind("AT+CMGR=", 0) == 0) {
        const int index = std::stoi(line.substr(8));
        const auto it = store.find(index);
        if (it == store.end()) return answer("\r\n+CMS ERROR: 321\r\n");
        const auto bytes = modem::from_hex(it->second.second);
        const int tpdu = static_cast<int>(bytes->size()) - 1 - (*bytes)[0];
        return answer("\r\n+CMGR: " + std::to_string(it->second.first) + ",," + std::to_string(tpdu) + "\r\n" +
                      it->second.second + "\r\n\r\nOK\r\n");
    }
    if (line.rfind("AT+CMGD=", 0) == 0) {
        if (!store.erase(std::stoi(line.substr(8)))) return answer("\r\n+CMS ERROR: 321\r\n");
        return ok();
    }
    answer("\r\nERROR\r\n");
}

}  // namespace relais::test
