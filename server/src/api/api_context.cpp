#include "api_context.hpp"

#include "messages.hpp"
#include "responses.hpp"
#include "text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace relais {

void ApiContext::speak(std::string_view user_language) {
    lang = choose_language(user_language, req.header("accept-language"), dealer_language);
}

Actor actor_of(const Principal& p) {
    Actor a;
    a.kind = p.kind == Principal::Kind::user ? Actor::Kind::user : Actor::Kind::api_key;
    a.id = p.id;
    a.name = p.display_name;
    return a;
}

HttpResponse respond(const ApiContext& ctx, const Error& e) {
    if (e.kind == ErrorKind::internal)
        ctx.log.error("{} {}: {}", to_string(ctx.req.method), loggable_path(ctx.req.path),
                      escape_untrusted(e.detail, 500));
    return error_response(e, ctx.lang);
}

HttpResponse shape_problems(const ApiContext& ctx, const Problems& problems) {
    return error_response(validation_error(problems), ctx.lang);
}

std::string etag_of(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

std::optional<std::int64_t> if_match(const ApiContext& ctx, std::optional<HttpResponse>& problem) {
    const std::string* h = ctx.req.header("if-match");
    if (!h || trim(*h) == "*") return std::nullopt;
    std::string v(trim(*h));
    if (v.rfind("W/", 0) == 0) v = v.substr(2);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty() || v.size() > 15 || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        problem = error_response(make_error(ErrorKind::invalid, "invalid_if_match"), ctx.lang);
        return std::nullopt;
    }
    return std::stoll(v);
}

SetCookie expired_cookie(const char* name) {
    SetCookie c;
    c.name = name;
    c.value = "";
    c.max_age_s = 0;
    return c;
}

std::vector<std::string> stream_owners(const Principal& p) {
    if (p.kind == Principal::Kind::api_key) return {api_key_stream_owner(p.id)};
    return {user_stream_owner(p.id), session_stream_owner(p.session_id)};
}

std::string session_stream_owner(Id session_id) { return "session:" + std::to_string(session_id); }
std::string user_stream_owner(Id user_id) { return "user:" + std::to_string(user_id); }
std::string api_key_stream_owner(Id key_id) { return "api_key:" + std::to_string(key_id); }

}  // namespace relais
