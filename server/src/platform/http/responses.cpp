#include "responses.hpp"

#include "json_text.hpp"
#include "messages.hpp"
#include "static_files.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

namespace relais {

int status_for(const Error& error) {
    switch (error.kind) {
        case ErrorKind::invalid: return error.code == "validation_failed" ? 422 : 400;
        case ErrorKind::not_found: return 404;
        case ErrorKind::conflict: return 409;
        case ErrorKind::precondition_failed: return 412;
        case ErrorKind::unauthorized: return 401;
        case ErrorKind::forbidden: return 403;
        case ErrorKind::throttled: return 429;
        case ErrorKind::too_large: return 413;
        case ErrorKind::unsupported_media_type: return 415;
        case ErrorKind::unavailable: return 503;
        case ErrorKind::internal: return 500;
    }
    return 500;
}

HttpResponse json_response(int status, const nlohmann::json& body) {
    HttpResponse r;
    r.status = status;
    r.body = dump_json(body);
    r.header("Content-Type", "application/json; charset=utf-8");
    return r;
}

HttpResponse error_response(const Error& error, std::string_view lang) {
    nlohmann::json fields = nlohmann::json::array();
    for (const FieldError& f : error.fields) {
        fields.push_back({{"field", f.field}, {"code", f.code}, {"message", render_message(f.code, f.params, lang)}});
    }
    nlohmann::json err = {{"code", error.code}, {"message", render_message(error.code, error.params, lang)}};
    if (!fields.empty()) err["fields"] = fields;
    // Which limit was reached, or what a conflict is with (the offer, the value the customer
    // agreed to), for a client to say so in its own words (the other kinds' parameters are in
    // the message already, and may name internals).
    if ((error.kind == ErrorKind::throttled || error.kind == ErrorKind::conflict) && !error.params.empty()) {
        nlohmann::json params = nlohmann::json::object();
        for (const auto& [k, v] : error.params) params[k] = v;
        err["params"] = params;
    }
    HttpResponse r = json_response(status_for(error), {{"error", err}});
    if (error.retry_after_s > 0) r.header("Retry-After", std::to_string(error.retry_after_s));
    if (error.kind == ErrorKind::unauthorized) r.header("WWW-Authenticate", "Bearer realm=\"relais\"");
    return r;
}

HttpResponse no_content() {
    HttpResponse r;
    r.status = 204;
    return r;
}

Transport transport_of(const Config& config, Listener listener) {
    const bool https = listener == Listener::lan ? config.tls.lan : config.http.public_origin.rfind("https://", 0) == 0;
    return https ? Transport::https : Transport::http;
}

void add_security_headers(HttpResponse& r, Listener listener, Transport transport, bool api) {
    r.header("Content-Security-Policy",
             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
             "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    r.header("X-Content-Type-Options", "nosniff");
    r.header("X-Frame-Options", "DENY");
    // Customer links carry secrets in their path: never leak them to another site.
    r.header("Referrer-Policy", listener == Listener::public_ ? "no-referrer" : "same-origin");
    if (api && !r.find_header("Cache-Control")) r.header("Cache-Control", "no-store");
    if (transport == Transport::https) {
        r.header("Strict-Transport-Security", "max-age=31536000");
        for (auto& c : r.cookies) c.secure = true;
    }
}

const Result<LanguageTexts>& page_texts() {
    static const Result<LanguageTexts> texts = load_language_texts(embedded_page_texts());
    return texts;
}

std::span<const std::string_view> page_text_names() {
    static const std::string_view names[] = {"not_found.title", "not_found.text", "restarting.title",
                                             "restarting.text", "error.title",    "error.text"};
    return names;
}

namespace {

// A text of pages.txt; its name should it be missing (the unit tests check that none is), so a
// slip shows and the page is still answered.
std::string page_text(std::string_view lang, std::string_view name) {
    const Result<LanguageTexts>& texts = page_texts();
    const std::string* text = texts.ok() ? texts->in(lang).find(name) : nullptr;
    return text ? *text : std::string(name);
}

}  // namespace

HttpResponse html_error_page(int status, std::string_view lang) {
    const bool fr = lang == "fr";
    const std::string page = status == 404 ? "not_found" : status == 503 ? "restarting" : "error";
    const std::string title = page_text(fr ? "fr" : "en", page + ".title");
    const std::string text = page_text(fr ? "fr" : "en", page + ".text");
    HttpResponse r;
    r.status = status;
    r.header("Content-Type", "text/html; charset=utf-8");
    r.body = std::string("<!doctype html><html lang=\"") + (fr ? "fr" : "en") +
             "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>" +
             title + "</title></head><body><h1>" + title + "</h1><p>" + text + "</p></body></html>";
    return r;
}

bool accepts_gzip(const std::string* accept_encoding) {
    if (!accept_encoding) return false;
    std::string_view rest = *accept_encoding;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view entry = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const std::size_t semi = entry.find(';');
        const std::string coding = ascii_lower(trim(entry.substr(0, semi)));
        if (coding != "gzip" && coding != "*") continue;
        if (semi == std::string_view::npos) return true;
        // "gzip;q=0" (or 0.0, 0.000) refuses it; any other weight accepts it.
        std::string_view q = trim(entry.substr(semi + 1));
        if (q.size() < 2 || (q[0] != 'q' && q[0] != 'Q') || q[1] != '=') return true;
        q = q.substr(2);
        const bool zero = !q.empty() && q[0] == '0' && q.find_first_not_of("0.", 0) == std::string_view::npos;
        return !zero;
    }
    return false;
}

HttpResponse static_file_response(const HttpRequest& req, const StaticFile& file) {
    HttpResponse r;
    const bool gzip = !file.gzip.empty() && accepts_gzip(req.header("accept-encoding"));
    // Each encoding has its own tag: a cache must never answer one with the other's bytes.
    const std::string etag = gzip ? file.etag.substr(0, file.etag.size() - 1) + "-gz\"" : file.etag;
    r.header("Cache-Control", "no-cache");
    r.header("ETag", etag);
    if (!file.gzip.empty()) r.header("Vary", "Accept-Encoding");
    if (const std::string* inm = req.header("if-none-match"); inm && *inm == etag) {
        r.status = 304;
        return r;
    }
    r.header("Content-Type", file.content_type);
    if (gzip) r.header("Content-Encoding", "gzip");
    if (req.method != Method::head) r.body = gzip ? file.gzip : file.content;
    return r;
}

}  // namespace relais
