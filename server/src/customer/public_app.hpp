#pragma once
// The public listener's application: the customer pages only. `/o/<token>` serves the page
// (the same bytes for every token: nothing personal and nothing changed by a GET or HEAD, which
// link scanners and chat previews send); the page's script then POSTs to `/o/<token>/open`,
// `/decisions` and `/access-link`. Nothing of the workspace or the API is reachable here;
// every other path is a 404.

#include "config.hpp"
#include "generation_cache.hpp"
#include "http.hpp"
#include "responses.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace relais {

class CustomerService;
class StaticFiles;

struct PublicAppDeps {
    const Config& config;
    CustomerService* customers = nullptr;  // none: the customer routes answer 503
    StaticFiles* files = nullptr;          // the page and its assets; none: 404
};

/// Thread-safe. Everything in `deps` must outlive the app.
class PublicApp {
public:
    explicit PublicApp(PublicAppDeps deps);
    HttpResponse handle(const HttpRequest& request);

    static constexpr const char* kDeviceCookie = "relais_device";

private:
    HttpResponse page(const HttpRequest& req, const std::string& file, const std::string& lang);
    HttpResponse customer_api(const HttpRequest& req, const std::string& token, const std::string& action,
                              const std::string& lang);

    const Config& config_;
    CustomerService* customers_;
    StaticFiles* files_;
    Transport transport_;        // HSTS and Secure cookies over HTTPS (add_security_headers)
    std::string dealer_script_;  // the page's <script id="dealer-info">
    // The customer's view of an offer as JSON text, by offer id (see CustomerOffer).
    GenerationCache<std::int64_t, std::string> views_{64};
};

}  // namespace relais
