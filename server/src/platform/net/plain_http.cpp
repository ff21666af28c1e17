#include "plain_http.hpp"

namespace relais {
namespace {

std::string answer(int status, std::string_view reason, std::string_view extra_headers, std::string_view body,
                   bool head_only, bool close) {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    out += extra_headers;
    out += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
    if (close) out += "Connection: close\r\n";
    out += "\r\n";
    if (!head_only) out += body;
    return out;
}

}  // namespace

bool valid_acme_token(std::string_view token) {
    if (token.empty() || token.size() > 128) return false;
    for (const char c : token) {
        const bool ok =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::string plain_http_answer(const RequestHead& head, std::string_view https_base,
                              const std::function<std::optional<std::string>(std::string_view token)>& challenge,
                              bool close) {
    const bool head_only = head.method == "HEAD";
    const std::string_view target = head.target;
    if (target.rfind(kAcmeChallengePrefix, 0) == 0 && (head.method == "GET" || head.method == "HEAD")) {
        const std::string_view token = target.substr(kAcmeChallengePrefix.size());
        std::optional<std::string> key_authorization;
        if (valid_acme_token(token) && challenge) key_authorization = challenge(token);
        if (!key_authorization) return answer(404, "Not Found", "", "no such challenge\n", head_only, close);
        return answer(200, "OK", "", *key_authorization, head_only, close);
    }
    // Everything else goes to HTTPS, path and query kept (the parser let through only an
    // origin-form target of visible ASCII). 308 keeps a POST a POST; browsers know both.
    const bool safe = head.method == "GET" || head.method == "HEAD";
    const std::string location = std::string(https_base) + std::string(target.empty() ? "/" : target);
    const std::string body = "This address is served over HTTPS: " + location + "\n";
    return answer(safe ? 301 : 308, safe ? "Moved Permanently" : "Permanent Redirect", "Location: " + location + "\r\n",
                  body, head_only, close);
}

}  // namespace relais
