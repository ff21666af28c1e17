#include "public_app.hpp"

#include "messages.hpp"
#include "responses.hpp"

namespace relais {

PublicApp::PublicApp(const Config& config) : config_(config) {}

HttpResponse PublicApp::handle(const HttpRequest& req) {
    const std::string lang = choose_language("", req.header("accept-language"), config_.dealer.language);
    HttpResponse res;
    if (req.path == "/robots.txt" && (req.method == Method::get || req.method == Method::head)) {
        // Customer links are private: ask crawlers to keep out.
        res.header("Content-Type", "text/plain; charset=utf-8");
        res.body = "User-agent: *\nDisallow: /\n";
    } else {
        res = html_error_page(404, lang);
    }
    add_security_headers(res, Listener::public_, false);
    return res;
}

}  // namespace relais
