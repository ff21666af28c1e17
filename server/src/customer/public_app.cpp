#include "public_app.hpp"

#include "crypto.hpp"
#include "customer_service.hpp"
#include "decisions_body.hpp"
#include "json_text.hpp"
#include "messages.hpp"
#include "offer_json.hpp"
#include "repair_report.hpp"
#include "request_body.hpp"
#include "responses.hpp"
#include "static_files.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

namespace relais {

using nlohmann::json;

namespace {

bool is_token(std::string_view s) {
    if (s.size() < 22 || s.size() > 64) return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
    return true;
}

// The dealership as its customers see it: its name, its phone (tap to call) and its time zone.
json dealer_info(const Config& config) {
    json phone = nullptr;
    if (!config.dealer.phone.empty()) phone = {{"display", config.dealer.phone_display}, {"tel", config.dealer.phone}};
    return {{"name", config.dealer.name}, {"phone", phone}, {"timezone", config.dealer.timezone}};
}

// What the customer sees: the frozen offer, never the addresses or the RO's other parties;
// with the dealership's contact and the vehicle's promised time as they are now.
// An item's thread: the customer's questions and the advisor's answers, shown as soon as written
// (the message that tells of them is what waits, questions.hpp).
json thread_of(const std::vector<ItemQuestion>& threads, Id intervention_id) {
    json out = json::array();
    for (const ItemQuestion& q : threads) {
        if (q.intervention_id != intervention_id) continue;
        out.push_back({{"author", to_string(q.author)},
                       {"text", q.text},
                       {"at", format_utc(q.at)},
                       {"by", q.author == QuestionAuthor::advisor ? json(q.by_name) : json(nullptr)}});
    }
    return out;
}

// The latest repair report, when one was sent, comes with it: the page shows it first, and the
// decisions it reports on stay one tap away.
json customer_view(const Offer& o, const json& dealer, std::optional<UnixMs> promised_at,
                   const std::vector<ItemQuestion>& threads, const std::optional<RepairReport>& report = std::nullopt) {
    json items = json::array();
    for (const OfferItem& i : o.snapshot.items)
        items.push_back({{"id", i.intervention_id},
                         {"label", i.label},
                         {"mechanic_note", i.mechanic_note},
                         {"kind", to_string(i.kind)},
                         {"severity", to_string(i.severity)},
                         {"price_incl_cents", i.price_incl},
                         {"informational", i.informational()},
                         {"questions", thread_of(threads, i.intervention_id)}});
    json decisions = json::object();
    for (const auto& [id, d] : o.decisions) decisions[std::to_string(id)] = to_string(d);
    json agreements = json::array();
    for (const OfferAgreement& a : o.snapshot.agreements) {
        json j = offer_json::agreement(a);
        j["accepted"] = o.accepted_agreements.contains(a.agreement_id);
        agreements.push_back(std::move(j));
    }
    const bool read_only = o.state == OfferState::confirmed || o.state == OfferState::locked;
    return {
        {"state", to_string(o.state)},
        {"version", o.version},
        {"read_only", read_only},
        {"note", o.note},
        {"dealer_name", o.snapshot.dealer_name},
        {"dealer_phone", dealer["phone"]},
        {"timezone", dealer["timezone"]},
        {"promised_at", promised_at ? json(format_utc(*promised_at)) : json(nullptr)},
        {"advisor_name", o.snapshot.advisor_name},
        {"customer_name", o.snapshot.customer_name},
        {"ro_number", o.snapshot.ro_number},
        {"vehicle",
         {{"plate", o.snapshot.vehicle.plate}, {"make", o.snapshot.vehicle.make}, {"model", o.snapshot.vehicle.model}}},
        {"currency", o.snapshot.currency},
        {"items", items},
        {"total_incl_cents", o.snapshot.total_incl()},
        {"decisions", decisions},
        {"agreements", agreements},
        {"confirmed_at", o.confirmed_at ? json(format_utc(*o.confirmed_at)) : json(nullptr)},
        // Questions may be asked as long as the link is this device's, also once confirmed.
        {"questions_open",
         o.state != OfferState::superseded && o.state != OfferState::cancelled && o.state != OfferState::expired},
        {"question_max_chars", kMaxQuestionChars},
        {"report", report ? report_json::customer(*report) : json(nullptr)}};
}

}  // namespace

PublicApp::PublicApp(PublicAppDeps deps)
    : config_(deps.config),
      customers_(deps.customers),
      files_(deps.files),
      transport_(transport_of(deps.config, Listener::public_)) {
    // Inside <script type="application/json">: "<" escaped so no text can close the element.
    std::string text = dealer_info(config_).dump();
    for (std::size_t at = 0; (at = text.find('<', at)) != std::string::npos;) text.replace(at, 1, "\\u003c");
    dealer_script_ = "<script type=\"application/json\" id=\"dealer-info\">" + text + "</script>";
}

namespace {
json view(const Config& config, CustomerService& customers, const Offer& offer) {
    return customer_view(offer, dealer_info(config), customers.promised_at(offer.ro_id),
                         customers.threads(offer.ro_id));
}
}  // namespace

HttpResponse PublicApp::handle(const HttpRequest& req) {
    const std::string lang = choose_language("", req.header("accept-language"), config_.dealer.language);
    HttpResponse res;
    bool api = false;
    const bool reading = req.method == Method::get || req.method == Method::head;
    if (req.path == "/robots.txt" && reading) {
        // Customer links are private: ask crawlers to keep out.
        res.header("Content-Type", "text/plain; charset=utf-8");
        res.body = "User-agent: *\nDisallow: /\n";
    } else if (req.path.rfind("/o/", 0) == 0) {
        std::string rest = req.path.substr(3);
        std::string token = rest.substr(0, rest.find('/'));
        std::string action = rest.size() > token.size() ? rest.substr(token.size() + 1) : "";
        if (!is_token(token)) {
            res = html_error_page(404, lang);
        } else if (action.empty() && reading) {
            res = page(req, "customer/index.html", lang);
        } else if (!action.empty() && req.method == Method::post) {
            res = customer_api(req, token, action, lang);
            api = true;
        } else if (action.empty() || action == "open" || action == "decisions" || action == "access-link" ||
                   action == "question") {
            res = html_error_page(405, lang);
            res.status = 405;
            res.header("Allow", action.empty() ? "GET, HEAD" : "POST");
        } else {
            res = html_error_page(404, lang);
        }
    } else if (req.path == "/favicon.ico" && reading) {
        res = page(req, "favicon.ico", lang);
    } else if (req.path.rfind("/assets/customer/", 0) == 0 && reading) {
        res = page(req, req.path.substr(8), lang);
    } else {
        res = html_error_page(404, lang);
    }
    add_security_headers(res, Listener::public_, transport_, api);
    if (!api && req.path.rfind("/o/", 0) == 0) {
        // A magic link's page: never cached by a shared cache, never indexed.
        res.header("Cache-Control", "no-store");
        res.header("X-Robots-Tag", "noindex, nofollow");
    }
    return res;
}

HttpResponse PublicApp::page(const HttpRequest& req, const std::string& file, const std::string& lang) {
    auto f = files_ ? files_->get(file) : std::nullopt;
    if (!f) return html_error_page(404, lang);
    const StaticFile& sf = **f;
    HttpResponse r;
    if (file == "customer/index.html") {
        // The start and other-device pages have no offer to read: the dealership's name and
        // phone come with the page (the same for every token, nothing personal).
        static constexpr std::string_view kSlot = "<script type=\"application/json\" id=\"dealer-info\">{}</script>";
        std::string body = sf.content;
        if (auto at = body.find(kSlot); at != std::string::npos) body.replace(at, kSlot.size(), dealer_script_);
        const std::string etag = "\"" + to_hex(sha256(body)).substr(0, 16) + "\"";
        r.header("ETag", etag);
        r.header("Cache-Control", "no-cache");
        if (const std::string* inm = req.header("if-none-match"); inm && *inm == etag) {
            r.status = 304;
            return r;
        }
        r.header("Content-Type", sf.content_type);
        if (req.method != Method::head) r.body = std::move(body);
        return r;
    }
    return static_file_response(req, sf);
}

HttpResponse PublicApp::customer_api(const HttpRequest& req, const std::string& token, const std::string& action,
                                     const std::string& lang) {
    if (!customers_) return error_response(make_error(ErrorKind::unavailable, "offers_unavailable"), lang);
    // Only the page itself may post: a cross-site form or script is refused (the device
    // cookie is SameSite=Lax too).
    if (const std::string* site = req.header("sec-fetch-site"); site && *site != "same-origin" && *site != "none")
        return error_response(make_error(ErrorKind::forbidden, "cross_site_request"), lang);
    if (const std::string* origin = req.header("origin")) {
        const std::string* host = req.header("host");
        const bool same = *origin == config_.http.public_origin ||
                          (host && (*origin == "http://" + *host || *origin == "https://" + *host));
        if (!same) return error_response(make_error(ErrorKind::forbidden, "cross_site_request"), lang);
    }
    auto parsed = read_json_object(req, 16 << 10);
    if (!parsed) return error_response(parsed.error(), lang);
    const json& body = *parsed;
    CustomerContext who;
    if (const std::string* device = req.cookie(kDeviceCookie); device && is_token(*device)) who.device_id = *device;
    who.ip = req.peer;
    if (const std::string* ua = req.header("user-agent")) who.user_agent = *ua;

    if (action == "open") {
        auto access = customers_->open(token, who);
        if (!access) return error_response(access.error(), lang);
        json out = {{"status", to_string(access->status)}, {"language", access->language}};
        int status = 200;
        std::shared_ptr<const std::string> offer_text;
        if (access->status == LinkStatus::ok) {
            // The offer as text, built once per offer while the database stays as it was: a
            // crowd of phones reopening it costs a lookup each.
            const CustomerOffer& seen = *access->offer;
            if (seen.generation) offer_text = views_.find(seen.offer.id, seen.generation);
            if (!offer_text) {
                offer_text = std::make_shared<const std::string>(dump_json(
                    customer_view(seen.offer, dealer_info(config_), seen.promised_at, seen.questions, seen.report)));
                if (seen.generation) views_.put(seen.offer.id, seen.generation, offer_text);
            }
        } else if (access->status == LinkStatus::unknown) {
            status = 404;
        } else {
            status = access->status == LinkStatus::superseded ? 410 : 403;
            if (access->status != LinkStatus::superseded) {
                out["masked_destination"] = access->masked_destination;
                out["channel"] = to_string(access->channel);
            }
        }
        HttpResponse r = json_response(status, out);
        if (offer_text) {  // {"language":…,"status":"ok"} + ,"offer":{…}}
            r.body.pop_back();
            r.body += ",\"offer\":";
            r.body += *offer_text;
            r.body += '}';
        }
        if (who.device_id.empty() && access->status == LinkStatus::ok) {
            SetCookie c;
            c.name = kDeviceCookie;
            c.value = access->device_id;
            c.max_age_s = 400 * 24 * 3600;  // the longest browsers keep a cookie
            c.http_only = true;
            c.same_site = "Lax";
            c.path = "/o/";
            r.cookies.push_back(c);
        }
        return r;
    }
    if (action == "decisions") {
        auto asked = read_decisions(body);
        if (!asked) return error_response(asked.error(), lang);
        auto offer = customers_->decide(token, who, asked->decisions, asked->confirm, asked->agreements);
        if (!offer) return error_response(offer.error(), lang);
        return json_response(200, {{"status", "ok"}, {"offer", view(config_, *customers_, *offer)}});
    }
    if (action == "question") {
        // {"intervention_id": 12, "text": "…"}
        Problems problems;
        std::optional<std::int64_t> item;
        std::optional<std::string> text;
        {
            ObjectReader r(body, "", problems);  // its end names the unknown fields
            item = r.integer("intervention_id");
            if (!item && !r.field("intervention_id")) r.problem("intervention_id", "required");
            text = r.required_string("text");
        }
        if (!problems.empty() || !item || !text) return error_response(validation_error(problems), lang);
        auto asked = customers_->ask(token, who, *item, std::move(*text));
        if (!asked) return error_response(asked.error(), lang);
        return json_response(201, {{"status", "ok"},
                                   {"offer", customer_view(asked->offer, dealer_info(config_), asked->promised_at,
                                                           asked->questions, asked->report)}});
    }
    if (action == "access-link") {
        auto sent = customers_->send_access_link(token, who);
        if (!sent) return error_response(sent.error(), lang);
        return json_response(202,
                             {{"masked_destination", sent->masked_destination}, {"channel", to_string(sent->channel)}});
    }
    return html_error_page(404, lang);
}

}  // namespace relais
