#pragma once
// Metrics for the dealership's IT, in Prometheus' text exposition format (version 0.0.4):
// GET /metrics on the lan listener (lan_app.cpp gathers the values; this file only writes them).

#include <string>
#include <utility>
#include <vector>

namespace relais {

struct MetricSample {
    std::vector<std::pair<std::string, std::string>> labels;  // name, value (any UTF-8: escaped here)
    double value = 0;
};

struct MetricFamily {
    std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*
    std::string help;
    std::string type;  // gauge, counter, info
    std::vector<MetricSample> samples;
};

/// The text format: "# HELP", "# TYPE", then one line per sample; label values escaped
/// (backslash, double quote, line feed), integers written without a decimal point.
std::string prometheus_text(const std::vector<MetricFamily>& families);

}  // namespace relais
