#pragma once
// The workspace API's routes of agreements ("conditions", docs/API.md, "Agreements"): any
// principal reads them, a dealer admin writes them.

#include "agreements.hpp"
#include "api_routes.hpp"

namespace relais {

struct AgreementRoutesDeps {
    AgreementService& agreements;
};

/// The references in `deps` must outlive `routes`.
void add_agreement_routes(ApiRoutes& routes, AgreementRoutesDeps deps);

}  // namespace relais
