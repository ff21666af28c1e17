#include "metrics.hpp"

#include <cmath>
#include <cstdio>

namespace relais {

namespace {

void append_escaped(std::string& out, const std::string& value, bool help) {
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && !help) {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

void append_number(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
    } else if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
    } else if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
        out += buf;
    } else {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v);
        out += buf;
    }
}

}  // namespace

std::string prometheus_text(const std::vector<MetricFamily>& families) {
    std::string out;
    for (const MetricFamily& f : families) {
        out += "# HELP " + f.name + " ";
        append_escaped(out, f.help, true);
        out += "\n# TYPE " + f.name + " " + (f.type == "info" ? "gauge" : f.type) + "\n";
        for (const MetricSample& s : f.samples) {
            out += f.name;
            if (!s.labels.empty()) {
                out += '{';
                for (std::size_t i = 0; i < s.labels.size(); ++i) {
                    if (i) out += ',';
                    out += s.labels[i].first + "=\"";
                    append_escaped(out, s.labels[i].second, false);
                    out += '"';
                }
                out += '}';
            }
            out += ' ';
            append_number(out, s.value);
            out += '\n';
        }
    }
    return out;
}

}  // namespace relais
