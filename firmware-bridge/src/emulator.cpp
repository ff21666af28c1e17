#include "emulator.hpp"

#include "at_parser.hpp"
#include "sms_text.hpp"
#include "text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace relais::bridge {
namespace {

using modem::Address;
using modem::Direction;

std::vector<std::string> split_args(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (char c : s) {
        if (c == '"') {
            quoted = !quoted;
            continue;
        }
        if (c == ',' && !quoted) {
            out.push_back(std::string(trim(cur)));
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(std::string(trim(cur)));
    return out;
}

const char* stat_text(int stat) {
    switch (stat) {
        case 0: return "REC UNREAD";
        case 1: return "REC READ";
        case 2: return "STO UNSENT";
        default: return "STO SENT";
    }
}

std::optional<int> stat_of_text(const std::string& s) {
    if (s == "REC UNREAD") return 0;
    if (s == "REC READ") return 1;
    if (s == "STO UNSENT") return 2;
    if (s == "STO SENT") return 3;
    if (s == "ALL") return 4;
    return std::nullopt;
}

int tpdu_octets_of(const std::string& pdu_hex) {
    const auto bytes = modem::from_hex(pdu_hex);
    if (!bytes || bytes->empty()) return 0;
    return static_cast<int>(bytes->size()) - 1 - (*bytes)[0];
}

enum class Outcome { ok, error, deferred };

}  // namespace

Emulator::Emulator(EmulatorOptions options, const Clock& wall, std::function<void(const JournalEntry&)> journal)
    : options_(std::move(options)), wall_(wall), journal_(std::move(journal)) {
    const Profile& p = options_.profile;
    for (const auto& mem : p.memories) memories_[mem].capacity = mem == "ME" ? 100 : mem == "MT" ? 130 : 30;
    if (!options_.pin.empty()) sim_ = SimState::pin_required;
    failing_numbers_ = options_.failing_numbers;
    urc_port_ = p.urc_port_select ? p.urc_port_default : "usbat";
    rng_state_ = options_.seed * 0x9E3779B97F4A7C15ULL + 1;
    apply_stored_profile();
}

double Emulator::random() {
    // splitmix64: enough for drawn latencies and faults, reproducible from --seed.
    std::uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53);
}

void Emulator::apply_stored_profile() {
    const Profile& p = options_.profile;
    echo_ = p.echo;
    verbose_ = true;
    cmee_ = p.cmee;
    cmgf_ = p.cmgf;
    cscs_ = "IRA";
    csmp_ = p.csmp;
    cnmi_mode_ = 2;
    cnmi_mt_ = p.cnmi_mt;
    cnmi_ds_ = p.cnmi_ds;
    creg_n_ = cereg_n_ = cgreg_n_ = 0;
    cops_format_ = 0;
    mem1_ = mem2_ = mem3_ = p.memory;
    csms_ = p.csms;
    curc_ = true;
    qss_ = 0;
}

Emulator::Counters Emulator::counters() const {
    return Counters{
        std::to_string(cnmi_mode_) + "," + std::to_string(cnmi_mt_) + ",0," + std::to_string(cnmi_ds_) + ",0",
        csms_,
        cmms_,
        acknowledged_,
        missed_acks_,
        power_ups_};
}

void Emulator::power_on(Millis now) {
    const Profile& p = options_.profile;
    ++power_ups_;
    cmms_ = 0;
    apply_stored_profile();
    input_ = Input::command;
    line_.clear();
    data_.clear();
    busy_until_.reset();
    held_input_.clear();
    out_.clear();
    awaiting_ack_.reset();
    routed_waiting_.clear();
    routed_held_.clear();
    ++ack_serial_;
    // What the firmware was doing is forgotten; the network's reports are still on their way.
    std::erase_if(timers_, [](const Timer& t) { return t.modem_side; });
    if (!options_.pin.empty() && sim_ == SimState::ready) sim_ = SimState::pin_required;
    const Millis boot = static_cast<Millis>(static_cast<double>(p.boot_ms) * options_.time_scale);
    awake_at_ = p.deaf_while_booting ? now + boot : now;
    for (const auto& code : p.boot_codes) urc(code);
    sms_ready_ = p.sms_ready_codes.empty() && !p.sms_commands_wait_for_ready;
    if (!p.sms_ready_codes.empty() || p.sms_commands_wait_for_ready) {
        schedule(now + boot, [this](Millis) {
            sms_ready_ = true;
            if (sim_ == SimState::ready) {
                for (const auto& code : options_.profile.sms_ready_codes) urc(code);
            }
        });
    }
    if (p.periodic_flood) {
        urc("^MODE:5,4");  // system mode and submode on a change (here: registered, WCDMA)
        start_flood(now);
    }
}

void Emulator::start_flood(Millis now) {
    const Millis period = std::max<Millis>(10, options_.profile.flood_ms);
    start_flood_next(now + period, period, std::make_shared<int>(0));
}

void Emulator::start_flood_next(Millis at, Millis period, std::shared_ptr<int> count) {
    schedule(at, [this, period, count](Millis t) {
        ++*count;
        if (curc_) {
            urc("^DSFLOWRPT:00000124,00000082,00000EA6,0000000000012325,000000000022771D,0000BB80,0001F400");
            if (*count % 5 == 0) urc("^RSSI:" + std::to_string(rssi_));
            if (*count % 15 == 0) urc("^BOOT:20952548,0,0,0,72");
        }
        start_flood_next(t + period, period, count);
    });
}

void Emulator::reset(Millis now) {
    if (!options_.profile.reset_reenumerates) return power_on(now);
    // The firmware stops; the port goes with it (the bridge unplugs it, then plugs it in).
    busy_until_.reset();
    held_input_.clear();
    input_ = Input::command;
    std::erase_if(timers_, [](const Timer& t) { return t.modem_side; });
    reenumerate_ = true;
}

void Emulator::reset_during_next_sends(int count, bool accepted) {
    reset_count_ = count;
    reset_accepted_ = accepted;
}

bool Emulator::sms_refused() {
    if (sms_ready_ || !options_.profile.sms_commands_wait_for_ready) return false;
    final_error();
    return true;
}

Millis Emulator::draw_latency() {
    if (!options_.realistic_latency) return options_.cmgs_latency_ms;
    double seconds;
    if (random() < 0.97) {
        seconds = 2.0 * std::pow(15.0 / 2.0, random());  // log-uniform 2–15 s
    } else {
        seconds = 15.0 + random() * 105.0;  // the tail, up to 120 s
    }
    return static_cast<Millis>(seconds * 1000.0 * options_.time_scale);
}

std::size_t Emulator::stored(const std::string& memory) const {
    const auto it = memories_.find(memory);
    return it == memories_.end() ? 0 : it->second.messages.size();
}

std::string Emulator::take_output() {
    std::string out;
    out.swap(out_);
    return out;
}

void Emulator::schedule(Millis at, std::function<void(Millis)> fire, bool modem_side) {
    timers_.push_back(Timer{at, std::move(fire), modem_side});
}

std::optional<Millis> Emulator::deadline() const {
    std::optional<Millis> d = busy_until_;
    for (const Timer& t : timers_) d = d ? std::min(*d, t.at) : t.at;
    return d;
}

void Emulator::tick(Millis now) {
    now_hint_ = std::max(now_hint_, now);
    // Fire due timers in time order; a fired timer may schedule more.
    for (;;) {
        auto due = std::min_element(timers_.begin(), timers_.end(),
                                    [](const Timer& a, const Timer& b) { return a.at < b.at; });
        if (due == timers_.end() || due->at > now) break;
        Timer t = std::move(*due);
        timers_.erase(due);
        t.fire(now);
    }
    if (busy_until_ && now >= *busy_until_) {
        busy_until_.reset();
        std::deque<Routed> held_routes;
        held_routes.swap(routed_held_);
        for (auto& r : held_routes) route_direct(std::move(r), now);
        std::string held;
        held.swap(held_input_);
        if (!held.empty()) input(held, now);
    }
}

modem::Timestamp Emulator::timestamp_now() const {
    return modem::Timestamp::from_unix(wall_.now(), options_.tz_quarters);
}

// ---- output helpers -----------------------------------------------------------------------

void Emulator::say(const std::string& line) { out_ += "\r\n" + line + "\r\n"; }

void Emulator::final_ok() { out_ += verbose_ ? "\r\nOK\r\n" : "0\r"; }

void Emulator::final_error() { out_ += verbose_ ? "\r\nERROR\r\n" : "4\r"; }

void Emulator::cme(int code) {
    if (cmee_ == 0) return final_error();
    if (cmee_ == 2) {
        const char* text = code == 10   ? "SIM not inserted"
                           : code == 11 ? "SIM PIN required"
                           : code == 16 ? "incorrect password"
                                        : "unknown";
        out_ += std::string("\r\n+CME ERROR: ") + text + "\r\n";
        return;
    }
    out_ += "\r\n+CME ERROR: " + std::to_string(code) + "\r\n";
}

void Emulator::cms(int code) {
    if (cmee_ == 0) return final_error();
    out_ += "\r\n+CMS ERROR: " + std::to_string(code) + "\r\n";
}

void Emulator::urc(const std::string& text) {
    if (silent_) return;
    // A Quectel sends its unsolicited codes to one port only: this one is "usbat".
    if (options_.profile.urc_port_select && urc_port_ != "usbat") return;
    out_ += "\r\n" + text + "\r\n";
}

// ---- input ------------------------------------------------------------------------------------

void Emulator::input(std::string_view bytes, Millis now) {
    now_hint_ = std::max(now_hint_, now);
    if (silent_) return;          // a modem that stopped answering hears nothing either
    if (now < awake_at_) return;  // still booting, deaf
    if (busy_until_) {
        held_input_.append(bytes);
        return;
    }
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (busy_until_) {
            held_input_.append(bytes.substr(i));
            return;
        }
        if (input_ != Input::command) {
            if (c == '\x1A') {
                const Input mode = input_;
                input_ = Input::command;
                std::string data;
                data.swap(data_);
                if (mode == Input::pdu) {
                    submit_pdu(data, modem::parse_at_number(pending_command_).value_or(-1), now);
                } else {
                    submit_text(pending_command_, data, now);
                }
            } else if (c == '\x1B') {
                input_ = Input::command;  // the DTE gave up: nothing is sent
                data_.clear();
            } else if (c == '\r' || c == '\n') {
                if (input_ == Input::text && c == '\r') {
                    data_ += '\n';
                    out_ += "\r\n> ";
                }
            } else {
                data_ += c;
                if (echo_) out_ += c;
            }
            continue;
        }
        if (c == '\r') {
            std::string line;
            line.swap(line_);
            if (echo_) out_ += line + "\r";
            on_line(line, now);
        } else if (c == '\x08') {
            if (!line_.empty()) line_.pop_back();
        } else if (c != '\n' && c != '\x1B' && c != '\0') {
            line_ += c;
        }
    }
}

void Emulator::on_line(const std::string& raw, Millis now) {
    const std::string line(trim(raw));
    if (line.size() < 2 || ascii_upper(line.substr(0, 2)) != "AT") return;  // not for us: ignored
    execute(line.substr(2), now);
}

bool Emulator::run_basic(std::string_view cmds) {
    std::size_t i = 0;
    while (i < cmds.size()) {
        char c = static_cast<char>(std::toupper(static_cast<unsigned char>(cmds[i++])));
        if (c == ' ') continue;
        if (c == '&') {
            if (i >= cmds.size()) return false;
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(cmds[i++])));
            std::string digits;
            while (i < cmds.size() && std::isdigit(static_cast<unsigned char>(cmds[i]))) digits += cmds[i++];
            if (c == 'F') {  // factory settings, which are not the stored profile
                echo_ = true;
                verbose_ = true;
                cmee_ = 0;
                cmgf_ = 0;
                csmp_ = "17,167,0,0";
            } else if (c != 'W' && c != 'C' && c != 'D' && c != 'K') {
                return false;
            }
            continue;
        }
        std::string digits;
        while (i < cmds.size() && std::isdigit(static_cast<unsigned char>(cmds[i]))) digits += cmds[i++];
        const int v = modem::parse_at_number(digits).value_or(0);
        switch (c) {
            case 'E': echo_ = v != 0; break;
            case 'V': verbose_ = v != 0 || digits.empty(); break;
            case 'Q':
            case 'X':
            case 'L':
            case 'M':
            case 'H': break;
            case 'Z': apply_stored_profile(); break;
            case 'I': say(options_.profile.manufacturer + " " + options_.profile.model); break;
            case 'S':  // S-registers: accept S<n>=<v> and S<n>?
                if (i < cmds.size() && (cmds[i] == '=' || cmds[i] == '?')) {
                    ++i;
                    while (i < cmds.size() && std::isdigit(static_cast<unsigned char>(cmds[i]))) ++i;
                }
                break;
            default: return false;
        }
    }
    return true;
}

void Emulator::execute(const std::string& all, Millis now) {
    bool acknowledge_after_ok = false;
    std::size_t pos = 0;
    while (pos <= all.size()) {
        if (pos == all.size()) break;
        const char first = all[pos];
        const bool extended = first == '+' || first == '^' || first == '$' || first == '%' || first == '#';
        std::size_t end = all.find(';', pos);
        if (end == std::string::npos) end = all.size();
        if (!extended) {
            // Basic commands run up to the first extended one or ';'.
            std::size_t stop = all.find_first_of("+^$%#;", pos);
            if (stop == std::string::npos) stop = all.size();
            if (!run_basic(std::string_view(all).substr(pos, stop - pos))) return final_error();
            pos = stop < all.size() && all[stop] == ';' ? stop + 1 : stop;
            continue;
        }
        const std::string cmd = all.substr(pos, end - pos);
        pos = end + 1;

        // NAME, NAME?, NAME=?, NAME=args
        std::size_t sep = cmd.find_first_of("=?");
        const std::string name = ascii_upper(cmd.substr(0, sep));
        enum class Form { exec, read, test, set } form = Form::exec;
        std::string args;
        if (sep != std::string::npos) {
            if (cmd[sep] == '?') {
                form = Form::read;
            } else if (cmd.compare(sep, 2, "=?") == 0) {
                form = Form::test;
            } else {
                form = Form::set;
                args = cmd.substr(sep + 1);
            }
        }
        const auto a = split_args(args);
        const auto arg_int = [&](std::size_t i) { return i < a.size() ? modem::parse_at_number(a[i]) : std::nullopt; };
        Outcome result = Outcome::ok;
        const auto err = [&](bool cms_kind, int code) {
            cms_kind ? cms(code) : cme(code);
            result = Outcome::error;
        };
        const auto plain_error = [&] {
            final_error();
            result = Outcome::error;
        };

        const Profile& profile = options_.profile;
        static const std::set<std::string> sms_commands = {"+CMGF", "+CPMS", "+CNMI", "+CMGS", "+CMGL", "+CMGR",
                                                           "+CMGD", "+CSMS", "+CNMA", "+CSCA", "+CSMP", "+CMMS"};
        if (sms_commands.count(name) && sms_refused()) return;
        if (name == "+CGMI" || name == "+GMI") {
            say(profile.manufacturer);
        } else if (name == "+CGMM" || name == "+GMM") {
            say(profile.model);
        } else if (name == "+CGMR" || name == "+GMR") {
            say(profile.revision);
        } else if (name == "+CGSN" || name == "+GSN") {
            say(options_.imei);
        } else if (name == "+CIMI") {
            if (sim_ == SimState::missing)
                err(false, 10);
            else if (sim_ != SimState::ready)
                err(false, 11);
            else
                say(options_.imsi);
        } else if (name == "+CMEE") {
            if (form == Form::set && arg_int(0) && *arg_int(0) <= 2)
                cmee_ = *arg_int(0);
            else if (form == Form::read)
                say("+CMEE: " + std::to_string(cmee_));
            else if (form == Form::test)
                say("+CMEE: (0-2)");
            else
                plain_error();
        } else if (name == "+CPIN") {
            if (form == Form::read) {
                if (sim_ == SimState::missing)
                    err(false, 10);
                else
                    say(std::string("+CPIN: ") + (sim_ == SimState::ready          ? "READY"
                                                  : sim_ == SimState::pin_required ? "SIM PIN"
                                                                                   : "SIM PUK"));
            } else if (form == Form::set) {
                if (sim_ == SimState::missing)
                    err(false, 10);
                else if (sim_ == SimState::puk_required)
                    err(false, 12);
                else if (sim_ == SimState::ready)
                    err(false, 3);
                else if (!a.empty() && a[0] == options_.pin) {
                    sim_ = SimState::ready;
                    pin_tries_ = 3;
                } else {
                    if (--pin_tries_ <= 0) sim_ = SimState::puk_required;
                    err(false, 16);
                }
            } else if (form == Form::test) {
                continue;  // OK, at the end of the line
            } else {
                plain_error();
            }
        } else if (name == "+CSQ") {
            if (form == Form::test)
                say("+CSQ: (0-31,99),(0-7,99)");
            else
                say("+CSQ: " + std::to_string(rssi_) + ",99");
        } else if (name == "+CREG" || name == "+CEREG" || name == "+CGREG") {
            int& n = name == "+CREG" ? creg_n_ : name == "+CEREG" ? cereg_n_ : cgreg_n_;
            if (form == Form::set && arg_int(0) && *arg_int(0) <= 2) {
                n = *arg_int(0);
            } else if (form == Form::read) {
                std::string line = name + ": " + std::to_string(n) + "," + std::to_string(registration_);
                if (n == 2 && (registration_ == 1 || registration_ == 5)) line += ",\"1A2B\",\"01C3D4E5\",7";
                say(line);
            } else if (form == Form::test) {
                say(name + ": (0-2)");
            } else {
                plain_error();
            }
        } else if (name == "+COPS") {
            if (form == Form::read) {
                if (registration_ == 1 || registration_ == 5) {
                    const std::string op = cops_format_ == 2   ? options_.operator_numeric
                                           : cops_format_ == 1 ? options_.operator_short
                                                               : options_.operator_long;
                    say("+COPS: 0," + std::to_string(cops_format_) + ",\"" + op + "\",7");
                } else {
                    say("+COPS: 0");
                }
            } else if (form == Form::test) {
                say("+COPS: (2,\"" + options_.operator_long + "\",\"" + options_.operator_short + "\",\"" +
                    options_.operator_numeric + "\",7),,(0-4),(0-2)");
            } else if (form == Form::set) {
                if (arg_int(0) == 3 && arg_int(1) && *arg_int(1) <= 2) cops_format_ = *arg_int(1);
            } else {
                plain_error();
            }
        } else if (name == "+CMGF") {
            if (form == Form::set && arg_int(0) && *arg_int(0) <= 1)
                cmgf_ = *arg_int(0);
            else if (form == Form::read)
                say("+CMGF: " + std::to_string(cmgf_));
            else if (form == Form::test)
                say("+CMGF: (0-1)");
            else
                plain_error();
        } else if (name == "+CSCS") {
            const std::string v = a.empty() ? "" : ascii_upper(a[0]);
            if (form == Form::set && (v == "IRA" || v == "GSM" || v == "UCS2"))
                cscs_ = v;
            else if (form == Form::read)
                say("+CSCS: \"" + cscs_ + "\"");
            else if (form == Form::test)
                say("+CSCS: (\"IRA\",\"GSM\",\"UCS2\")");
            else
                err(false, 4);
        } else if (name == "+CSCA") {
            if (form == Form::read)
                say("+CSCA: \"" + options_.smsc + "\",145");
            else if (form == Form::set && !a.empty() && !a[0].empty())
                options_.smsc = a[0];
            else if (form == Form::test) {
                continue;  // OK, at the end of the line
            } else
                plain_error();
        } else if (name == "+CNMI") {
            if (form == Form::set) {
                const int mode = arg_int(0).value_or(0), mt = arg_int(1).value_or(0), ds = arg_int(3).value_or(0);
                if (mode > 3 || mt > 3 || ds > 2)
                    err(true, 303);
                else
                    cnmi_mode_ = mode, cnmi_mt_ = mt, cnmi_ds_ = ds;
            } else if (form == Form::read) {
                say("+CNMI: " + std::to_string(cnmi_mode_) + "," + std::to_string(cnmi_mt_) + ",0," +
                    std::to_string(cnmi_ds_) + ",0");
            } else if (form == Form::test) {
                say(profile.cnmi_test);
            } else {
                plain_error();
            }
        } else if (name == "+CPMS") {
            if (form == Form::test) {
                say(profile.cpms_test);
            } else if (form == Form::read) {
                const auto m = [&](const std::string& mem) {
                    return "\"" + mem + "\"," + std::to_string(memories_[mem].messages.size()) + "," +
                           std::to_string(memories_[mem].capacity);
                };
                say("+CPMS: " + m(mem1_) + "," + m(mem2_) + "," + m(mem3_));
            } else if (form == Form::set) {
                bool known = true;
                for (const auto& mem : a) known = known && (mem.empty() || memories_.count(ascii_upper(mem)));
                if (!known || a.empty()) {
                    err(true, 302);
                } else {
                    if (!a[0].empty()) mem1_ = ascii_upper(a[0]);
                    if (a.size() > 1 && !a[1].empty()) mem2_ = ascii_upper(a[1]);
                    if (a.size() > 2 && !a[2].empty()) mem3_ = ascii_upper(a[2]);
                    const auto m = [&](const std::string& mem) {
                        return std::to_string(memories_[mem].messages.size()) + "," +
                               std::to_string(memories_[mem].capacity);
                    };
                    say("+CPMS: " + m(mem1_) + "," + m(mem2_) + "," + m(mem3_));
                }
            } else {
                plain_error();
            }
        } else if (name == "+CSMS") {
            if (form == Form::set && arg_int(0) && *arg_int(0) <= 1) {
                csms_ = *arg_int(0);
                say("+CSMS: 1,1,1");
            } else if (form == Form::read) {
                say("+CSMS: " + std::to_string(csms_) + ",1,1,1");
            } else if (form == Form::test) {
                say("+CSMS: (0,1)");
            } else {
                plain_error();
            }
        } else if (name == "+CMGS") {
            if (form != Form::set || a.empty() || a[0].empty()) {
                err(true, 304);
            } else {
                // The prompt; the rest of the line is ignored while the data comes.
                pending_command_ = cmgf_ == 0 ? a[0] : a[0];
                input_ = cmgf_ == 0 ? Input::pdu : Input::text;
                data_.clear();
                out_ += "\r\n> ";
                return;  // the final result comes with the data
            }
        } else if (name == "+CMGL") {
            if (form == Form::test) {
                say(cmgf_ == 0 ? "+CMGL: (0-4)"
                               : "+CMGL: (\"REC UNREAD\",\"REC READ\",\"STO UNSENT\",\"STO SENT\",\"ALL\")");
            } else if (sim_blocks_sms()) {
                result = Outcome::error;
            } else {
                std::optional<int> wanted = 4;
                if (form == Form::set)
                    wanted = cmgf_ == 0 ? arg_int(0) : stat_of_text(ascii_upper(a[0]));
                else if (cmgf_ == 1)
                    wanted = 0;
                else
                    wanted = 0;
                if (!wanted || *wanted > 4) {
                    err(true, 302);
                } else {
                    bool first_entry = true;
                    for (auto& [index, m] : memories_[mem1_].messages) {
                        if (*wanted != 4 && m.stat != *wanted) continue;
                        // A Huawei's periodic codes come out between the entries of a long answer too.
                        if (!first_entry && profile.periodic_flood && curc_)
                            out_ += "\r\n^RSSI:" + std::to_string(rssi_) + "\r\n";
                        first_entry = false;
                        out_ += list_entry(index, m, cmgf_ == 1);
                        if (m.stat == 0) m.stat = 1;
                    }
                }
            }
        } else if (name == "+CMGR") {
            if (form == Form::test) {
                continue;  // OK, at the end of the line
            }
            if (sim_blocks_sms()) {
                result = Outcome::error;
            } else {
                auto& msgs = memories_[mem1_].messages;
                const auto it = arg_int(0) ? msgs.find(*arg_int(0)) : msgs.end();
                if (it == msgs.end()) {
                    err(true, 321);
                } else {
                    Stored& m = it->second;
                    if (cmgf_ == 0) {
                        out_ += "\r\n+CMGR: " + std::to_string(m.stat) + ",," + std::to_string(tpdu_octets_of(m.pdu)) +
                                "\r\n" + m.pdu + "\r\n";
                    } else {
                        const std::string entry = list_entry(it->first, m, true);
                        // "+CMGL: <index>,<stat>,..." → "+CMGR: <stat>,..."
                        const std::size_t comma = entry.find(',');
                        out_ += "\r\n+CMGR: " + entry.substr(comma + 1);
                    }
                    if (m.stat == 0) m.stat = 1;
                }
            }
        } else if (name == "+CMGD") {
            if (form == Form::test) {
                const int first_index = options_.profile.first_index;
                say("+CMGD: (" + std::to_string(first_index) + "-" + std::to_string(first_index + 29) + "),(0-4)");
            } else if (form != Form::set || !arg_int(0)) {
                err(true, 321);
            } else {
                auto& msgs = memories_[mem1_].messages;
                const int flag = arg_int(1).value_or(0);
                if (flag == 0) {
                    if (!msgs.erase(*arg_int(0))) err(true, 321);
                } else {
                    for (auto it = msgs.begin(); it != msgs.end();) {
                        const int st = it->second.stat;
                        const bool del =
                            flag == 4 || (flag >= 1 && st == 1) || (flag >= 2 && st == 3) || (flag >= 3 && st == 2);
                        it = del ? msgs.erase(it) : std::next(it);
                    }
                }
            }
        } else if (name == "+CNMA") {
            if (!awaiting_ack_ || csms_ != 1) {
                err(true, 340);  // no +CNMA acknowledgement expected
            } else {
                acknowledge_after_ok = true;  // the next waiting indication comes after the OK
            }
        } else if (name == "+CSMP") {
            if (form == Form::read)
                say("+CSMP: " + csmp_);
            else if (form == Form::set)
                csmp_ = args;
        } else if (name == "+QURCCFG" && profile.urc_port_select) {
            const std::string what = a.empty() ? "" : ascii_lower(a[0]);
            if (form == Form::test) {
                say(R"(+QURCCFG: "urcport",("usbat","usbmodem","uart1"))");
            } else if (form == Form::set && what == "urcport" && a.size() == 1) {
                say("+QURCCFG: \"urcport\",\"" + urc_port_ + "\"");
            } else if (form == Form::set && what == "urcport" &&
                       (a[1] == "usbat" || a[1] == "usbmodem" || a[1] == "uart1")) {
                urc_port_ = a[1];
            } else {
                plain_error();
            }
        } else if (name == "+QINISTAT" && profile.id == ProfileId::quectel_ec25) {
            say("+QINISTAT: " + std::to_string((sim_ == SimState::ready ? 1 : 0) + (sms_ready_ ? 6 : 0)));
        } else if (name == "^CURC" && profile.periodic_flood) {
            if (form == Form::set && arg_int(0) && *arg_int(0) <= 1)
                curc_ = *arg_int(0) == 1;
            else if (form == Form::read)
                say(std::string("^CURC: ") + (curc_ ? "1" : "0"));
            else if (form == Form::test)
                say("^CURC: (0-1)");
            else
                plain_error();
        } else if (name == "^PORTSEL" && profile.periodic_flood) {
            if (form == Form::read) say("^PORTSEL: 0");
        } else if (name == "#QSS" && profile.qss) {
            if (form == Form::set && arg_int(0) && *arg_int(0) <= 2)
                qss_ = *arg_int(0);
            else if (form == Form::read)
                say("#QSS: " + std::to_string(qss_) + "," +
                    (sim_ == SimState::missing ? "0"
                     : sim_ == SimState::ready ? "3"
                                               : "1"));
            else if (form == Form::test)
                say("#QSS: (0-2)");
            else
                plain_error();
        } else if (name == "+CMMS") {
            if (form == Form::set && arg_int(0) && *arg_int(0) <= 2)
                cmms_ = *arg_int(0);
            else if (form == Form::read)
                say("+CMMS: " + std::to_string(cmms_));
            else if (form == Form::test)
                say("+CMMS: (0-2)");
        } else if (name == "+CFUN") {
            if (form == Form::read) {
                say(std::string("+CFUN: ") + (registration_ == 0 ? "0" : "1"));
            } else if (form == Form::test) {
                say("+CFUN: (0,1,4),(0-1)");
            } else if (form == Form::set) {
                const int fun = arg_int(0).value_or(1);
                if (fun == 0 || fun == 4)
                    set_registration(0, now);
                else if (fun == 1 && registration_ == 0)
                    set_registration(1, now);
            }
        } else if (name == "+CBC") {
            say("+CBC: 0,100,5000");
        } else if (name == "+CGATT") {
            if (form == Form::read)
                say(std::string("+CGATT: ") + (registration_ == 1 || registration_ == 5 ? "1" : "0"));
        } else if (name == "+CSDH") {
            if (form == Form::read) say("+CSDH: 0");
        } else {
            // What this modem does not implement (vendor probes, calls, USSD): like a real one.
            plain_error();
        }
        if (result == Outcome::error) return;
    }
    final_ok();
    if (acknowledge_after_ok) acknowledged(now);
}

bool Emulator::sim_blocks_sms() {
    if (sim_ == SimState::ready) return false;
    cms(sim_ == SimState::missing ? 310 : sim_ == SimState::pin_required ? 311 : 316);
    return true;
}

std::string Emulator::list_entry(int index, const Stored& m, bool text_mode) const {
    if (!text_mode) {
        return "\r\n+CMGL: " + std::to_string(index) + "," + std::to_string(m.stat) + ",," +
               std::to_string(tpdu_octets_of(m.pdu)) + "\r\n" + m.pdu;
    }
    auto decoded = modem::decode_pdu(m.pdu, m.stat <= 1 ? Direction::from_network : Direction::to_network);
    std::string who, when, text;
    if (decoded) {
        if (auto* d = std::get_if<modem::SmsDeliver>(&decoded->tpdu)) {
            who = d->originator.value;
            const auto& t = d->service_centre_time;
            char buf[40];
            std::snprintf(buf, sizeof buf, "%02d/%02d/%02d,%02d:%02d:%02d%+03d", t.year % 100, t.month, t.day, t.hour,
                          t.minute, t.second, t.tz_quarters);
            when = buf;
            text = modem::text_of(d->user_data);
        } else if (auto* s = std::get_if<modem::SmsSubmit>(&decoded->tpdu)) {
            who = s->destination.value;
            text = modem::text_of(s->user_data);
        }
    }
    return "\r\n+CMGL: " + std::to_string(index) + ",\"" + stat_text(m.stat) + "\",\"" + who + "\",,\"" + when +
           "\"\r\n" + text;
}

// ---- the network side -----------------------------------------------------------------------

void Emulator::submit_pdu(const std::string& hex, int declared_length, Millis now) {
    auto decoded = modem::decode_pdu(hex, Direction::to_network);
    if (!decoded || declared_length != tpdu_octets_of(hex)) return cms(304);  // invalid PDU mode parameter
    auto* submit = std::get_if<modem::SmsSubmit>(&decoded->tpdu);
    if (!submit) return cms(304);
    accept_submit(*submit, hex, now);
}

void Emulator::submit_text(const std::string& to, const std::string& text, Millis now) {
    // A stored +CSMP without <fo> (a SIM7600's): text-mode sends fail until it is set.
    if (options_.profile.text_send_needs_csmp && (csmp_.empty() || csmp_.front() == ',')) return cms(500);
    std::string utf8 = text;
    if (cscs_ == "UCS2") {
        // In UCS2 character set the text arrives as hex UTF-16.
        auto bytes = modem::from_hex(text);
        if (!bytes) return cms(305);
        modem::UserData ud;
        ud.alphabet = modem::Alphabet::ucs2;
        ud.payload = *bytes;
        utf8 = modem::text_of(ud);
    }
    auto sms = modem::prepare_sms(utf8);
    if (!sms) return cms(305);
    modem::SubmitOptions o;
    o.status_report = false;
    const auto pdus = modem::encode_submit(Address{to}, *sms, o);
    auto decoded = modem::decode_pdu(pdus.front().hex, Direction::to_network);
    accept_submit(std::get<modem::SmsSubmit>(decoded->tpdu), pdus.front().hex, now);
}

void Emulator::accept_submit(const modem::SmsSubmit& s, const std::string& hex, Millis now) {
    if (sim_blocks_sms()) return;
    if (registration_ != 1 && registration_ != 5) return cms(331);  // no network service
    std::optional<int> fail;
    if (fail_count_ > 0) {
        --fail_count_;
        fail = fail_code_;
    } else if (options_.profile.cms500_share > 0 && random() < options_.profile.cms500_share) {
        fail = 500;
    }
    // A reset in the middle of this send: before the network took it, or after.
    bool resets = false, accepted = true;
    if (!fail && reset_count_ > 0) {
        --reset_count_;
        resets = true;
        accepted = reset_accepted_;
    } else if (!fail && options_.reset_share > 0 && random() < options_.reset_share) {
        resets = true;
        accepted = random() < 0.5;
    }
    int reference = -1;
    if (!fail && accepted) {
        next_reference_ = (next_reference_ + 1) % 256;
        reference = next_reference_;
    }
    const Millis latency = draw_latency();
    if (resets) {
        // The firmware restarts before answering: the DTE gets boot codes, not +CMGS.
        const Millis at = now + std::max<Millis>(1, latency / 2);
        busy_until_ = at;
        schedule(at, [this](Millis t) { reset(t); });
    } else {
        const auto answer = [this, fail, reference, text = fail_text_](Millis) {
            if (fail && !text.empty() && cmee_ != 0) {
                out_ += "\r\n+CMS ERROR: " + text + "\r\n";
                return;
            }
            if (fail) return cms(*fail);
            out_ += "\r\n" + cmgs_answer(reference) + "\r\n";
            final_ok();
        };
        if (latency > 0) {
            busy_until_ = now + latency;
            schedule(*busy_until_, answer);
        } else {
            answer(now);
        }
    }
    if (fail || !accepted) return;

    // The network's side: the journal, and the status report later.
    JournalEntry entry;
    entry.at = wall_.now();
    entry.recipient = s.destination.value;
    entry.text = modem::text_of(s.user_data);
    entry.encoding = s.user_data.alphabet == modem::Alphabet::gsm7   ? "gsm7"
                     : s.user_data.alphabet == modem::Alphabet::ucs2 ? "ucs2"
                                                                     : "8bit";
    entry.references = {reference};
    entry.pdus = {hex};
    entry.status_report_requested = s.status_report_request;
    if (s.user_data.concat && s.user_data.concat->total > 1) {
        const auto& c = *s.user_data.concat;
        entry.part = c.sequence;
        entry.parts = c.total;
        const std::string key = s.destination.value + "/" + std::to_string(c.reference) + "/" + std::to_string(c.total);
        Partial& p = partial_messages_[key];
        p.texts[c.sequence] = entry.text;
        p.references.push_back(reference);
        p.pdus.push_back(hex);
        entry.complete = false;
        journal_(entry);
        if (static_cast<int>(p.texts.size()) == c.total) {
            JournalEntry whole = entry;
            whole.text.clear();
            for (const auto& [seq, t] : p.texts) whole.text += t;
            whole.references = p.references;
            whole.pdus = p.pdus;
            whole.part = 0;
            whole.complete = true;
            partial_messages_.erase(key);
            journal_(whole);
        }
    } else {
        journal_(entry);
    }

    if (s.status_report_request) {
        const bool fails = failing_numbers_.count(s.destination.value) > 0;
        const Address recipient = s.destination;
        const Millis at = now + latency + options_.report_delay_ms;
        schedule(
            at,
            [this, recipient, reference, fails](Millis) {
                modem::SmsStatusReport r;
                r.message_reference = reference;
                r.recipient = recipient;
                r.service_centre_time = timestamp_now();
                r.discharge_time = timestamp_now();
                r.status = fails ? 0x41 : 0x00;  // permanent: incompatible destination
                const auto pdu = modem::encode_pdu(r, Address{options_.smsc});
                route_report(pdu.hex, pdu.tpdu_octets, 0);
            },
            false);
    }
}

std::string Emulator::cmgs_answer(int reference) const {
    std::string line = "+CMGS: " + std::to_string(reference);
    if (!options_.profile.cmgs_second_field_with_csms || csms_ != 1) return line;
    // Telit with +CSMS=1: the service centre's time stamp, as a string in text mode, inside
    // the RP-ACK's SMS-SUBMIT-REPORT in PDU mode.
    const auto t = timestamp_now();
    if (cmgf_ == 1) {
        char buf[40];
        std::snprintf(buf, sizeof buf, ",\"%02d/%02d/%02d,%02d:%02d:%02d%+03d\"", t.year % 100, t.month, t.day, t.hour,
                      t.minute, t.second, t.tz_quarters);
        return line + buf;
    }
    const auto semi = [](int v) {
        const char digits[] = "0123456789";
        return std::string{digits[v % 10], digits[(v / 10) % 10]};
    };
    return line + ",0100" + semi(t.year % 100) + semi(t.month) + semi(t.day) + semi(t.hour) + semi(t.minute) +
           semi(t.second) + semi(std::abs(t.tz_quarters));
}

void Emulator::route_report(const std::string& pdu_hex, int tpdu_octets, int attempts) {
    const Profile& p = options_.profile;
    if (cnmi_ds_ == 0) {
        // Not routed. One the DTE failed to acknowledge comes again later, as the service centre
        // retries after an RP-ERROR, until it gives up.
        if (attempts > 0 && attempts < 10) {
            const Millis wait = std::max<Millis>(options_.report_delay_ms, 1000) << std::min(attempts - 1, 5);
            schedule(
                now_hint_ + wait,
                [this, pdu_hex, tpdu_octets, attempts](Millis) { route_report(pdu_hex, tpdu_octets, attempts + 1); },
                false);
        }
        return;
    }
    if (cnmi_ds_ == 1 || p.reports_only_as_cds)
        return route_direct(Routed{pdu_hex, tpdu_octets, true, attempts}, now_hint_);
    if (auto index = store("SR", Stored{0, pdu_hex})) {
        // EC25/EG25: stored in SR, announced as if in SM at 0.
        urc(p.cdsi_names_sm_zero ? std::string("+CDSI: \"SM\",0") : "+CDSI: \"SR\"," + std::to_string(*index));
    }
}

void Emulator::route_direct(Routed r, Millis now) {
    const auto text = [](const Routed& x) {
        return (x.report ? "+CDS: " : "+CMT: ,") + std::to_string(x.tpdu_octets) + "\r\n" + x.pdu;
    };
    if (busy_until_ && cnmi_mode_ == 2) {
        // The line is taken by a command: <mode>=2 keeps the indication until it is free.
        routed_held_.push_back(std::move(r));
        return;
    }
    if (csms_ != 1) return urc(text(r));
    // Phase 2+: one at a time, each acknowledged with +CNMA within the network's time.
    if (awaiting_ack_) {
        routed_waiting_.push_back(std::move(r));
        return;
    }
    urc(text(r));
    awaiting_ack_ = r;
    const int serial = ++ack_serial_;
    const Millis timeout = static_cast<Millis>(static_cast<double>(options_.profile.cnma_timeout_ms) *
                                               std::min(1.0, std::max(options_.time_scale, 0.01)));
    schedule(now + timeout, [this, serial](Millis) {
        if (!awaiting_ack_ || serial != ack_serial_) return;
        // Not acknowledged in time: an RP-ERROR to the network, routing off (<mt> and <ds>
        // back to 0) until the DTE sets +CNMI again; the service centre tries again later.
        ++missed_acks_;
        Routed missed = std::move(*awaiting_ack_);
        awaiting_ack_.reset();
        cnmi_mt_ = 0;
        cnmi_ds_ = 0;
        std::deque<Routed> all{std::move(missed)};
        for (auto& w : routed_waiting_) all.push_back(std::move(w));
        routed_waiting_.clear();
        for (auto& m : all) {
            if (m.report) route_report(m.pdu, m.tpdu_octets, m.attempts + 1);
            // A deliver the network could not hand over is stored for AT+CMGL, as with <mt>=0.
            else if (auto index = store(mem3_, Stored{0, m.pdu}))
                (void)index;
        }
    });
}

void Emulator::acknowledged(Millis now) {
    ++acknowledged_;
    awaiting_ack_.reset();
    ++ack_serial_;
    if (routed_waiting_.empty()) return;
    Routed next = std::move(routed_waiting_.front());
    routed_waiting_.pop_front();
    route_direct(std::move(next), now);
}

std::optional<int> Emulator::store(const std::string& memory, Stored message) {
    Memory& m = memories_[memory];
    if (static_cast<int>(m.messages.size()) >= m.capacity) return std::nullopt;
    int index = options_.profile.first_index;
    while (m.messages.count(index)) ++index;
    m.messages[index] = std::move(message);
    return index;
}

void Emulator::deliver_direct(const std::string& pdu_hex, int tpdu_octets) {
    route_direct(Routed{pdu_hex, tpdu_octets, false, 0}, now_hint_);
}

Result<std::vector<int>> Emulator::inject_sms(const std::string& from, const std::string& text, Millis now) {
    now_hint_ = std::max(now_hint_, now);
    if (sim_ != SimState::ready) return make_error(ErrorKind::unavailable, "sim_not_ready");
    if (registration_ != 1 && registration_ != 5) return make_error(ErrorKind::unavailable, "not_registered");
    TRY_ASSIGN(auto sms, modem::prepare_sms(text));
    const bool alphanumeric = !from.empty() && !std::all_of(from.begin(), from.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '+';
    });
    const auto pdus = modem::encode_deliver(Address{from, alphanumeric}, sms, timestamp_now(), next_concat_++ & 0xFF,
                                            Address{options_.smsc});
    std::vector<int> indexes;
    if (cnmi_mt_ == 2 || cnmi_mt_ == 3) {
        for (const auto& p : pdus) deliver_direct(p.hex, p.tpdu_octets);
        return indexes;
    }
    if (memories_[mem3_].messages.size() + pdus.size() > static_cast<std::size_t>(memories_[mem3_].capacity)) {
        return make_error(ErrorKind::unavailable, "storage_full");
    }
    for (const auto& p : pdus) {
        const auto index = store(mem3_, Stored{0, p.hex});
        indexes.push_back(*index);
        if (cnmi_mt_ == 1) urc("+CMTI: \"" + mem3_ + "\"," + std::to_string(*index));
    }
    return indexes;
}

void Emulator::set_signal(int rssi) { rssi_ = std::clamp(rssi, 0, 99); }

void Emulator::set_registration(int stat, Millis) {
    if (stat == registration_) return;
    registration_ = stat;
    if (options_.profile.periodic_flood && curc_) urc(stat == 1 || stat == 5 ? "^MODE:5,4" : "^MODE:0,0");
    if (creg_n_ >= 1) urc("+CREG: " + std::to_string(stat));
    if (cereg_n_ >= 1) urc("+CEREG: " + std::to_string(stat));
}

void Emulator::set_sim(SimState state) {
    const bool was_missing = sim_ == SimState::missing;
    sim_ = state;
    pin_tries_ = 3;
    const Profile& p = options_.profile;
    const bool codes = !p.qss || qss_ > 0;  // a Telit says so only once AT#QSS=1 asked
    if (state == SimState::missing && !was_missing && codes && !p.sim_removed_code.empty()) urc(p.sim_removed_code);
    if (state != SimState::missing && was_missing && codes && !p.sim_inserted_code.empty()) urc(p.sim_inserted_code);
}

void Emulator::fail_next_sends(int count, int cms_error, std::string text) {
    fail_count_ = count;
    fail_code_ = cms_error;
    fail_text_ = std::move(text);
}

}  // namespace relais::bridge
