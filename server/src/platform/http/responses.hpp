#pragma once
// Building responses shared by both listeners: JSON bodies, errors in the reader's
// language, security headers, and the small HTML error page.

#include "config.hpp"
#include "http.hpp"
#include "result.hpp"
#include "text_catalog.hpp"

#include <nlohmann/json_fwd.hpp>

#include <span>
#include <string>
#include <string_view>

namespace relais {

int status_for(const Error& error);

HttpResponse json_response(int status, const nlohmann::json& body);
/// {"error": {"code", "message", "fields": [{"field", "code", "message"}]}}
HttpResponse error_response(const Error& error, std::string_view lang);
HttpResponse no_content();

enum class Listener { lan, public_ };
/// How browsers reach a listener, decided here only (transport_of).
enum class Transport { http, https };
/// The lan listener is reached over HTTPS when it serves TLS ([tls] lan); the public one when
/// customers' links are https:// (public_base_url: it serves TLS itself, [tls] public, which
/// requires such links, or a proxy in front of it does).
Transport transport_of(const Config& config, Listener listener);
/// CSP, nosniff, frame and referrer policies; `no-store` on API answers. Over HTTPS: a year of
/// HTTPS only for the name (HSTS, without includeSubDomains: the dealership's other sites are
/// not ours to bind), and every cookie of the answer Secure, so none goes out in clear.
void add_security_headers(HttpResponse& response, Listener listener, Transport transport, bool api);

/// A plain, styled page for a 404 or 503 outside the API, in the reader's language ("fr", else
/// English); its words are config/texts/<lang>/pages.txt.
HttpResponse html_error_page(int status, std::string_view lang);
/// The embedded files (fr/pages.txt, en/pages.txt): the error pages' words, here rather than with
/// the customer texts (messaging/), which this folder may not use; both listeners answer them.
std::span<const EmbeddedFile> embedded_page_texts();
/// The error pages' texts, parsed once; an error only if a file is malformed (the tests load them).
const Result<LanguageTexts>& page_texts();
/// The names html_error_page asks pages.txt for.
std::span<const std::string_view> page_text_names();

struct StaticFile;
/// A web asset for a GET or HEAD: ETag and revalidation (304), `Cache-Control: no-cache`, and
/// the gzip-compressed bytes when the client accepts them (`Vary: Accept-Encoding`).
HttpResponse static_file_response(const HttpRequest& req, const StaticFile& file);
/// Whether an Accept-Encoding header accepts gzip (a "gzip" or "*" entry whose q is not 0).
bool accepts_gzip(const std::string* accept_encoding);

}  // namespace relais
