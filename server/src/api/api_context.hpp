#pragma once
// What a handler of the workspace's API (/api/v1) is given, and the answers every feature's
// handlers share: errors in the caller's language (internal ones logged), a repair order's
// version as ETag and If-Match, the session's cookies, who a change is recorded as. lan_app.cpp
// fills the context once the caller is known, checked and the body read; the features' routes
// (auth/routes, repair_orders/routes, …) answer from it.

#include "auth.hpp"
#include "http.hpp"
#include "responses.hpp"
#include "result.hpp"
#include "timeline.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spdlog {
class logger;
}

namespace relais {

inline constexpr const char* session_cookie_name = "relais_session";
// Not "relais_device": that is the customer pages' cookie, and both listeners may share a host.
inline constexpr const char* device_cookie_name = "relais_browser";

struct ApiContext {
    const HttpRequest& req;
    /// Who is calling: set on every route whose access is not RouteAccess::anyone.
    std::optional<Principal> who;
    /// The language of the answer: the user's own, else Accept-Language, else the dealership's.
    std::string lang;
    /// The body of a POST, PATCH or PUT, a JSON object ({} when empty); null for other methods.
    nlohmann::json body;
    spdlog::logger& log;
    std::string dealer_language;

    /// Answers from now on in `user_language` (a sign-in, a change of one's own language).
    void speak(std::string_view user_language);
};

/// How a change by `p` is recorded in the timeline.
Actor actor_of(const Principal& p);

/// An error in the caller's language; an internal one is logged with the request's path first.
HttpResponse respond(const ApiContext& ctx, const Error& e);
/// 422 validation_failed with the body's problems, each on its field.
HttpResponse shape_problems(const ApiContext& ctx, const Problems& problems);

/// {"items": [...]}, the API's shape of a list, each item made by `to_json`.
template <class List, class ToJson>
nlohmann::json items_json(const List& list, ToJson to_json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& x : list) items.push_back(to_json(x));
    return {{"items", std::move(items)}};
}

/// 200 with the list as items_json makes it, or the error that kept it from being read.
template <class T, class ToJson>
HttpResponse list_response(const ApiContext& ctx, const Result<std::vector<T>>& list, ToJson to_json) {
    if (!list) return respond(ctx, list.error());
    return json_response(200, items_json(*list, to_json));
}

/// A repair order's version as an ETag: "12".
std::string etag_of(std::int64_t version);
/// The version If-Match names, nullopt when absent or "*"; a header that names none sets
/// `problem` (400 invalid_if_match).
std::optional<std::int64_t> if_match(const ApiContext& ctx, std::optional<HttpResponse>& problem);

/// A cookie that the browser drops.
SetCookie expired_cookie(const char* name);

/// Who a live-update stream is opened for (EventHub::subscribe), so that it ends with that
/// access: the first names the principal, by which streams are counted.
std::vector<std::string> stream_owners(const Principal& p);
/// The owner whose streams end with a session, a user's access, an API key (EventHub::close_for).
std::string session_stream_owner(Id session_id);
std::string user_stream_owner(Id user_id);
std::string api_key_stream_owner(Id key_id);

}  // namespace relais
