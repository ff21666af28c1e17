#pragma once
// Modem profiles: how the emulated modem differs from the generic one to behave like a module
// people buy. Each field is one documented quirk; firmware-bridge/README.md gives the source
// of each (manuals, and what ModemManager, gammu and smstools work around). The emulator reads
// these flags; it has no "if Quectel" of its own.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace relais::bridge {

enum class ProfileId { generic, quectel_ec25, simcom_sim7600, huawei_e3372, telit_le910c1 };

struct Profile {
    ProfileId id = ProfileId::generic;
    std::string name = "generic";
    // identification (+CGMI, +CGMM, +CGMR; ATI)
    std::string manufacturer = "Relais";
    std::string model = "EM-1 emulated modem";  // no vendor name inside: gammu would switch profiles
    std::string revision = "EM-1.0";

    // ---- power-up ----
    /// Unsolicited lines at power-up, before the SMS service is ready ("RDY", "+CPIN: READY").
    std::vector<std::string> boot_codes;
    /// Lines when the SMS service becomes ready, `boot_ms` after power-up ("SMS DONE").
    std::vector<std::string> sms_ready_codes;
    /// Until then, SMS commands (+CMGF, +CPMS, +CNMI, +CMGS, +CMGL...) answer plain ERROR.
    bool sms_commands_wait_for_ready = false;
    /// Until `boot_ms` after power-up the modem hears nothing (no echo, no answer).
    bool deaf_while_booting = false;
    /// A reset re-enumerates the USB device: the tty goes away and comes back (a USB module;
    /// one on a UART, or that keeps its port, resets in place).
    bool reset_reenumerates = false;
    std::int64_t boot_ms = 0;  // default for --boot-ms

    // ---- stored profile (what power-up restores) ----
    bool echo = true;
    int cmee = 0;
    int cmgf = 0;
    int csms = 0;
    int cnmi_mt = 0, cnmi_ds = 0;
    std::string memory = "SM";        // <mem1>, <mem2>, <mem3> at power-up
    std::string csmp = "17,167,0,0";  // AT+CSMP? ("" fields: <fo>, <vp> unset)
    /// Text-mode sends with an unset <fo> in +CSMP fail with +CMS ERROR: 500 (SIM7600 stored profile).
    bool text_send_needs_csmp = false;

    // ---- storage and routing ----
    std::vector<std::string> memories = {"SM", "ME", "SR"};
    std::string cpms_test = R"(+CPMS: ("SM"),("SM"),("SM"))";
    std::string cnmi_test = "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)";
    int first_index = 1;  // message indices from 0 on some modems
    /// With <ds>=2 the report is stored in SR but announced as +CDSI: "SM",0 (EC25/EG25).
    bool cdsi_names_sm_zero = false;
    /// Status reports are only ever routed as +CDS, whatever <ds> asks (no SR store).
    bool reports_only_as_cds = false;

    // ---- unsolicited codes ----
    /// Quectel: URCs go only to the port AT+QURCCFG="urcport" names; this port is "usbat".
    bool urc_port_select = false;
    std::string urc_port_default;  // where they go after a factory reset
    /// Huawei: ^RSSI, ^DSFLOWRPT, ^BOOT repeat until AT^CURC=0; ^MODE on changes.
    bool periodic_flood = false;
    std::int64_t flood_ms = 2000;  // ^DSFLOWRPT period; ^RSSI every 5×, ^BOOT every 15×

    // ---- sending ----
    /// Telit: with +CSMS=1, "+CMGS: <mr>,<ackpdu>" (PDU mode) or "+CMGS: <mr>,"<scts>"" (text mode).
    bool cmgs_second_field_with_csms = false;
    /// A share of sends refused with +CMS ERROR: 500 (SIMCom on some networks), 0 to 1.
    double cms500_share = 0;
    /// With +CSMS=1, a routed +CMT/+CDS not acknowledged by +CNMA in time resets <mt> and <ds>
    /// to 0 (no more routing) and the network sends the report again later.
    std::int64_t cnma_timeout_ms = 17000;
    /// Telit #QSS: SIM status codes when enabled with AT#QSS=1.
    bool qss = false;
    /// How this modem tells the host its SIM went away, and came back ("" for nothing).
    std::string sim_removed_code, sim_inserted_code;
};

/// The profile named `name` ("quectel-ec25"...), or nullopt.
std::optional<Profile> profile_named(std::string_view name);
/// Every profile's name, for --help and errors.
std::vector<std::string> profile_names();

}  // namespace relais::bridge
