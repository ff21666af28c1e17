#pragma once
// What a modem says it can do, read from its test commands rather than assumed: the message
// memories of AT+CPMS=?, the routing values of AT+CNMI=?, and the vendor, whose known quirks
// the session works around (Quectel's URC port, Huawei's periodic codes, Telit's SIM codes).
// Pure functions: no I/O, unit-tested on real modems' answers.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace relais::modem {

enum class Vendor { other, quectel, simcom, huawei, telit };
/// From the AT+CGMI answer ("Quectel", "SIMCOM INCORPORATED", "huawei", "Telit").
Vendor vendor_of(std::string_view manufacturer);

struct Memories {
    std::vector<std::set<std::string>> lists;  // <mem1>, <mem2>, <mem3>: what each may be
    /// The memory for reading, writing and receiving: "SM" where all three allow it, else
    /// the first other one they share ("ME", "MT"); empty when none is shared.
    std::string preferred() const;
    /// Status reports have a store of their own that AT+CPMS="SR" selects for reading.
    bool has_status_reports() const;
};
/// `+CPMS: ("SM","ME","SR"),("SM","ME"),("SM")` (the prefix optional); nullopt if unreadable.
std::optional<Memories> parse_cpms_test(std::string_view line);

/// One set of AT+CNMI values, "2,1,0,1,0".
struct Cnmi {
    int mode = 2, mt = 1, bm = 0, ds = 1, bfr = 0;
    std::string command() const;
    bool operator==(const Cnmi&) const = default;
};
/// The settings to try, best first, as ModemManager does: new messages stored and announced
/// (<mt>=1), status reports routed whole (<ds>=1), else stored and announced (<ds>=2), else
/// none; <mode> 2, else 1. From a readable AT+CNMI=? answer only what it advertises
/// (modems often refuse <ds>=1 while advertising it, hence the later fallbacks); from an
/// unreadable one, the whole ladder.
std::vector<Cnmi> cnmi_ladder(std::optional<std::string_view> test_answer);
/// The values of `+CNMI: 2,1,0,1,0` (the read form).
std::optional<Cnmi> parse_cnmi_read(std::string_view line);

}  // namespace relais::modem
