#pragma once
// The public listener's application: the customer pages only (issue 5). Nothing of the
// workspace or the API is reachable here; every other path is a 404.

#include "config.hpp"
#include "http.hpp"

namespace relais {

/// Thread-safe.
class PublicApp {
public:
    explicit PublicApp(const Config& config);
    HttpResponse handle(const HttpRequest& request);

private:
    const Config& config_;
};

}  // namespace relais
