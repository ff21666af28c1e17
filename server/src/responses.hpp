#pragma once
// Building responses shared by both listeners: JSON bodies, errors in the reader's
// language, security headers, and the small HTML error page.

#include "http.hpp"
#include "result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

namespace relais {

int status_for(const Error& error);

HttpResponse json_response(int status, const nlohmann::json& body);
/// {"error": {"code", "message", "fields": [{"field", "code", "message"}]}}
HttpResponse error_response(const Error& error, std::string_view lang);
HttpResponse no_content();

enum class Listener { lan, public_ };
/// CSP, nosniff, frame and referrer policies; `no-store` on API answers.
void add_security_headers(HttpResponse& response, Listener listener, bool api);

/// A plain, styled page for a 404 or 503 outside the API, in the reader's language.
HttpResponse html_error_page(int status, std::string_view lang);

}  // namespace relais
