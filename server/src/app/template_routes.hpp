#pragma once
// The workspace API's message templates (docs/API.md, "Message templates"): the kinds a dealer
// admin may reword, each version, a save (checked: message_templates.hpp), back to the shipped
// texts, and a preview of unsaved texts with the worst-case cost of each SMS and the characters
// that force UCS-2. Reading is for every user (the send dialog shows what will go); writing is
// the admin's.

#include "api_routes.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "db.hpp"

namespace relais {

struct TemplateRoutesDeps {
    Database& db;
    const Clock& clock;
    const Config& config;
};

/// The references in `deps` must outlive `routes`.
void add_template_routes(ApiRoutes& routes, TemplateRoutesDeps deps);

}  // namespace relais
