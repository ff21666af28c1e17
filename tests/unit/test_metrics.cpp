// Prometheus' text format (metrics.hpp): what a scraper parses.
#include "metrics.hpp"

#include <doctest/doctest.h>

using namespace relais;

TEST_CASE("metrics: families with help, type and samples, labels escaped, integers without a point") {
    const std::string text = prometheus_text({
        {"relais_outbox_messages",
         "Messages by state.\nTwo lines, a \\ and \"quotes\".",
         "gauge",
         {{{{"channel", "sms"}, {"state", "pending"}}, 3}, {{{"channel", "email"}, {"state", "failed"}}, 0}}},
        {"relais_uptime_seconds", "Seconds.", "gauge", {{{}, 12345678901.0}}},
        {"relais_ratio", "A fraction.", "gauge", {{{}, 0.25}}},
        {"relais_modem_ready", "1 when ready.", "gauge", {{{{"modem", "/dev/tty\"USB\\0\n"}}, 1}}},
    });
    CHECK(text ==
          "# HELP relais_outbox_messages Messages by state.\\nTwo lines, a \\\\ and \"quotes\".\n"
          "# TYPE relais_outbox_messages gauge\n"
          "relais_outbox_messages{channel=\"sms\",state=\"pending\"} 3\n"
          "relais_outbox_messages{channel=\"email\",state=\"failed\"} 0\n"
          "# HELP relais_uptime_seconds Seconds.\n"
          "# TYPE relais_uptime_seconds gauge\n"
          "relais_uptime_seconds 12345678901\n"
          "# HELP relais_ratio A fraction.\n"
          "# TYPE relais_ratio gauge\n"
          "relais_ratio 0.25\n"
          "# HELP relais_modem_ready 1 when ready.\n"
          "# TYPE relais_modem_ready gauge\n"
          "relais_modem_ready{modem=\"/dev/tty\\\"USB\\\\0\\n\"} 1\n");
}

TEST_CASE("metrics: counters keep their type, no families, no text") {
    CHECK(prometheus_text({}) == "");
    const std::string text = prometheus_text({{"relais_x_total", "X.", "counter", {{{}, 7}}}});
    CHECK(text.find("# TYPE relais_x_total counter\n") != std::string::npos);
    CHECK(text.find("relais_x_total 7\n") != std::string::npos);
}
