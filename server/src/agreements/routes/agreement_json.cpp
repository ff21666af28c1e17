#include "agreement_json.hpp"

#include "request_body.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

namespace relais::agreement_json {
namespace {

json local_text(const LocalText& t) { return {{"fr", t.fr}, {"en", t.en}}; }

}  // namespace

json agreement(const Agreement& a) {
    const AgreementVersion& v = a.current;
    json j = {{"id", a.id},
              {"active", a.active},
              {"version", v.version},
              {"mandatory", v.mandatory},
              {"title", local_text(v.title)},
              {"text", local_text(v.text)},
              {"created_at", format_utc(a.created_at)},
              {"updated_at", format_utc(v.created_at)},  // the current version's
              {"updated_by", v.created_by}};
    if (!a.history.empty()) {
        json versions = json::array();
        for (const auto& old : a.history)
            versions.push_back({{"version", old.version},
                                {"mandatory", old.mandatory},
                                {"title", local_text(old.title)},
                                {"text", local_text(old.text)},
                                {"created_at", format_utc(old.created_at)},
                                {"created_by", old.created_by}});
        j["versions"] = versions;
    }
    return j;
}

AgreementPatch parse_agreement(const json& body, Problems& problems) {
    AgreementPatch p;
    if (!expect_object(body, "", problems)) return p;
    ObjectReader r(body, "", problems, {"id", "version", "created_at", "updated_at", "updated_by", "versions"});
    for (const char* part : {"title", "text"}) {
        const json* o = r.object(part);
        if (!o) continue;
        ObjectReader lang(*o, std::string(part) + ".", problems);
        const bool title = std::string_view(part) == "title";
        (title ? p.title_fr : p.text_fr) = lang.string("fr");
        (title ? p.title_en : p.text_en) = lang.string("en");
    }
    p.mandatory = r.boolean("mandatory");
    p.active = r.boolean("active");
    return p;
}

}  // namespace relais::agreement_json
