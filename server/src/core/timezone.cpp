#include "timezone.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

namespace relais {
namespace {

bool valid_civil(const CivilTime& c) {
    static constexpr int days_in[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (c.year < 1900 || c.year > 2200 || c.month < 1 || c.month > 12 || c.day < 1) return false;
    const bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
    const int max_day = c.month == 2 ? (leap ? 29 : 28) : days_in[c.month - 1];
    return c.day <= max_day && c.hour >= 0 && c.hour < 24 && c.minute >= 0 && c.minute < 60 && c.second >= 0 &&
           c.second < 61;
}

class SystemTimeZone final : public TimeZone {
public:
    explicit SystemTimeZone(std::string name) : name_(std::move(name)) {
        setenv("TZ", name_.c_str(), 1);
        tzset();
    }
    UnixMs to_utc(const CivilTime& local) const override {
        std::tm tm{};
        tm.tm_year = local.year - 1900;
        tm.tm_mon = local.month - 1;
        tm.tm_mday = local.day;
        tm.tm_hour = local.hour;
        tm.tm_min = local.minute;
        tm.tm_sec = local.second;
        tm.tm_isdst = -1;
        return static_cast<UnixMs>(std::mktime(&tm)) * 1000;
    }
    CivilTime to_local(UnixMs instant) const override {
        const std::time_t t = static_cast<std::time_t>(instant / 1000);
        std::tm tm{};
        localtime_r(&t, &tm);
        return CivilTime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
    }
    const std::string& name() const override { return name_; }

private:
    std::string name_;
};

class FixedOffsetZone final : public TimeZone {
public:
    explicit FixedOffsetZone(int offset_minutes) : offset_ms_(static_cast<UnixMs>(offset_minutes) * 60'000) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "UTC%+03d:%02d", offset_minutes / 60, std::abs(offset_minutes % 60));
        name_ = buf;
    }
    UnixMs to_utc(const CivilTime& local) const override { return utc_of(local) - offset_ms_; }
    CivilTime to_local(UnixMs instant) const override { return civil_from_utc(instant + offset_ms_); }
    const std::string& name() const override { return name_; }

private:
    UnixMs offset_ms_;
    std::string name_;
};

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

}  // namespace

std::unique_ptr<TimeZone> make_system_time_zone(const std::string& name) {
    return std::make_unique<SystemTimeZone>(name);
}

std::unique_ptr<TimeZone> make_fixed_offset_zone(int offset_minutes) {
    return std::make_unique<FixedOffsetZone>(offset_minutes);
}

std::optional<UnixMs> parse_date_time(std::string_view s, const TimeZone& zone) {
    CivilTime c;
    if (!digits(s, 0, 4, c.year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, c.month) || s[7] != '-' ||
        !digits(s, 8, 2, c.day))
        return std::nullopt;
    if (s.size() == 10) {
        if (!valid_civil(c)) return std::nullopt;
        return zone.to_utc(c);
    }
    if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
    if (!digits(s, 11, 2, c.hour) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, c.minute)) return std::nullopt;
    std::size_t pos = 16;
    if (pos < s.size() && s[pos] == ':') {
        if (!digits(s, pos + 1, 2, c.second)) return std::nullopt;
        pos += 3;
        if (pos < s.size() && s[pos] == '.') {  // fractions of a second are ignored
            ++pos;
            while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        }
    }
    if (!valid_civil(c)) return std::nullopt;
    if (pos == s.size()) return zone.to_utc(c);
    if (s[pos] == 'Z' || s[pos] == 'z') {
        if (pos + 1 != s.size()) return std::nullopt;
        return utc_of(c);
    }
    if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
    int oh = 0, om = 0;
    if (pos + 6 != s.size() || !digits(s, pos + 1, 2, oh) || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om) ||
        oh > 23 || om > 59)
        return std::nullopt;
    const UnixMs offset = (oh * 60 + om) * 60'000LL * (s[pos] == '-' ? -1 : 1);
    return utc_of(c) - offset;
}

std::string format_utc(UnixMs instant) {
    const CivilTime c = civil_from_utc(instant);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute,
                  c.second);
    return buf;
}

}  // namespace relais
