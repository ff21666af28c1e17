#pragma once
// The workspace API's routes of the box's settings (docs/API.md, "Settings and the first-boot
// setup"): what the sign-in page and the workspace read of the dealership, the settings an
// admin changes (written, then relais restarts in place to apply them), the first-boot setup's
// end, and the test email that checks the mail settings.

#include "api_routes.hpp"
#include "config.hpp"
#include "process_stop.hpp"

#include <functional>
#include <vector>

namespace relais {

class TestEmails;

struct AdminRoutesDeps {
    const Config& config;
    // Checks and writes the settings to <data_dir>/settings.toml; unset: 503.
    std::function<ConfigLoad(const std::vector<SettingChange>&)> save_settings;
    std::function<void()> restart;  // unset: 503
    const ProcessStop* stop;        // while relais stops, a save or a test email is refused
    TestEmails* test_emails;        // none: 503
};

/// The references in `deps` must outlive `routes`.
void add_admin_routes(ApiRoutes& routes, AdminRoutesDeps deps);

}  // namespace relais
