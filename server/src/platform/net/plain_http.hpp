#pragma once
// What the plain-HTTP listener (port 80, [tls] redirect_listen) answers, by itself: an ACME
// HTTP-01 challenge's key authorization (RFC 8555 §8.3), and for everything else a redirect to
// the same path over HTTPS: the customer pages for the public name, the workspace for the box's
// LAN names (an advisor typing "relais.local"). Nothing of the application is reachable on it.
// Pure.

#include "http_head.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace relais {

/// The path prefix ACME servers fetch challenges from.
inline constexpr std::string_view kAcmeChallengePrefix = "/.well-known/acme-challenge/";

/// An ACME token: base64url characters only (RFC 8555 §8.1), at most 128 of them.
bool valid_acme_token(std::string_view token);

/// The whole HTTP/1.1 response to `head`. `https_base` is "https://name[:port]" (no trailing
/// slash); `challenge` gives the key authorization of a token (nullopt: none pending);
/// `close` adds "Connection: close".
std::string plain_http_answer(const RequestHead& head, std::string_view https_base,
                              const std::function<std::optional<std::string>(std::string_view token)>& challenge,
                              bool close);

}  // namespace relais
