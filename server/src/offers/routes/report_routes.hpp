#pragma once
// The workspace API's routes of the repair report (docs/API.md, "Repair report"): the RO's reports
// with a preview of the next one, a preview of a corrected one, and the send. Without the report
// service every one of them answers 503.

#include "api_routes.hpp"
#include "phone.hpp"
#include "reports.hpp"

namespace relais {

struct ReportRoutesDeps {
    ReportService* reports;  // none: 503 offers_unavailable
    const PhoneNumbers& phones;
};

/// The references in `deps` must outlive `routes`.
void add_report_routes(ApiRoutes& routes, ReportRoutesDeps deps);

}  // namespace relais
