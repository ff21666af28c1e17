#pragma once
// Plausible repair orders for a demonstration or a benchmark: French names and plates, real
// makes and models, workshop interventions with prices, spread over past days. Deterministic
// for a given seed, so a benchmark seeds the same data every time.

#include "ro_service.hpp"

#include <cstdint>
#include <vector>

namespace relais {

struct DemoOptions {
    int count = 40;
    std::uint64_t seed = 1;
    UnixMs now = 0;      // creation dates go back from here
    int days_back = 90;  // spread over this many days
    std::vector<Id> advisor_ids;
    const TimeZone* zone = nullptr;  // promised times fall in its working hours; UTC if null
};

std::vector<RepairOrderService::ImportItem> make_demo_repair_orders(const DemoOptions& options);

}  // namespace relais
