#include "profiles.hpp"

namespace relais::bridge {
namespace {

// Sources for every value: firmware-bridge/README.md, "Profiles".

Profile quectel_ec25() {
    Profile p;
    p.id = ProfileId::quectel_ec25;
    p.name = "quectel-ec25";
    p.manufacturer = "Quectel";
    p.model = "EC25";
    p.revision = "EC25EFAR06A15M4G";
    p.boot_codes = {"RDY", "+CFUN: 1", "+CPIN: READY", "+QUSIM: 1"};
    p.sms_ready_codes = {"+QIND: SMS DONE", "+QIND: PB DONE"};
    p.boot_ms = 3000;
    p.cmee = 1;
    p.cnmi_mt = 1;
    p.memory = "ME";
    p.memories = {"SM", "ME", "SR", "MT"};
    p.cpms_test = R"(+CPMS: ("SM","ME","MT","SR"),("SM","ME","MT"),("SM","ME","MT"))";
    p.cnmi_test = "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)";
    p.cdsi_names_sm_zero = true;
    p.urc_port_select = true;
    p.urc_port_default = "usbmodem";
    p.sim_removed_code = "+CPIN: NOT READY";
    p.sim_inserted_code = "+CPIN: READY";
    return p;
}

Profile simcom_sim7600() {
    Profile p;
    p.id = ProfileId::simcom_sim7600;
    p.name = "simcom-sim7600";
    p.manufacturer = "SIMCOM INCORPORATED";
    p.model = "SIMCOM_SIM7600E-H";
    p.revision = "LE20B04SIM7600M22";
    p.boot_codes = {"RDY", "+CPIN: READY"};
    p.sms_ready_codes = {"SMS DONE", "PB DONE"};
    p.sms_commands_wait_for_ready = true;
    p.boot_ms = 8000;
    p.cmee = 2;
    p.cmgf = 1;  // the stored profile boots in text mode
    p.csmp = ",,0,0";
    p.text_send_needs_csmp = true;
    p.cnmi_mt = 1;
    p.memories = {"SM", "ME", "SR", "MT"};
    p.cpms_test = R"(+CPMS: ("ME","MT","SM","SR"),("ME","MT","SM"),("ME","SM"))";
    p.cnmi_test = "+CNMI: (0-2),(0-3),(0-2),(0-2),(0-1)";
    p.first_index = 0;
    p.cms500_share = 0.05;
    p.sim_removed_code = "+CPIN: NOT READY";
    p.sim_inserted_code = "+CPIN: READY";
    return p;
}

Profile huawei_e3372() {
    Profile p;
    p.id = ProfileId::huawei_e3372;
    p.name = "huawei-e3372";
    p.manufacturer = "huawei";
    p.model = "E3372";  // exactly: gammu's phone table matches it to switch on its Huawei handling
    p.revision = "21.200.07.00.00";
    p.boot_codes = {"^BOOT:20952548,0,0,0,72", "^SIMST: 1", "^SRVST: 2"};
    p.memories = {"SM", "ME"};
    p.cpms_test = R"(+CPMS: ("SM","ME"),("SM","ME"),("SM","ME"))";
    p.cnmi_test = "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)";
    p.first_index = 0;
    p.reports_only_as_cds = true;
    p.periodic_flood = true;
    p.sim_removed_code = "^SIMST: 255";
    p.sim_inserted_code = "^SIMST: 1";
    return p;
}

Profile telit_le910c1() {
    Profile p;
    p.id = ProfileId::telit_le910c1;
    p.name = "telit-le910c1";
    p.manufacturer = "Telit";
    p.model = "LE910C1-EU";
    p.revision = "25.21.660";
    p.deaf_while_booting = true;
    p.reset_reenumerates = true;
    p.boot_ms = 20000;
    p.csms = 1;  // phase 2+ stored: routed +CMT/+CDS wait for +CNMA
    p.cmgs_second_field_with_csms = true;
    p.cnmi_test = "+CNMI: (0-3),(0-3),(0,2),(0-2),(0,1)";
    p.cpms_test = R"(+CPMS: ("ME","SM","SR"),("ME","SM"),("ME","SM"))";
    p.qss = true;
    p.sim_removed_code = "#QSS: 0";
    p.sim_inserted_code = "#QSS: 3";
    return p;
}

}  // namespace

std::optional<Profile> profile_named(std::string_view name) {
    if (name == "generic" || name == "default") return Profile{};
    if (name == "quectel-ec25") return quectel_ec25();
    if (name == "simcom-sim7600") return simcom_sim7600();
    if (name == "huawei-e3372") return huawei_e3372();
    if (name == "telit-le910c1") return telit_le910c1();
    return std::nullopt;
}

std::vector<std::string> profile_names() {
    return {"generic", "quectel-ec25", "simcom-sim7600", "huawei-e3372", "telit-le910c1"};
}

}  // namespace relais::bridge
