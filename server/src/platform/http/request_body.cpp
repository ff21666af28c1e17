#include "request_body.hpp"

#include "text.hpp"

#include <nlohmann/json.hpp>

namespace relais {

using nlohmann::json;

namespace {

// `v` when it is absent or of type `type`; else nothing, and `expected` is named.
const json* of_type(ObjectReader& r, const char* key, const json* v, json::value_t type, const char* expected) {
    if (!v || v->type() == type) return v;
    r.problem(key, "invalid_type", {{"expected", expected}});
    return nullptr;
}

}  // namespace

Result<json> read_json_object(const HttpRequest& req, std::size_t max_bytes) {
    if (req.body.size() > max_bytes) {
        Error e = make_error(ErrorKind::too_large, "body_too_large", {{"max", std::to_string(max_bytes)}});
        return e;
    }
    if (trim(req.body).empty()) return json::object();
    const std::string* type = req.header("content-type");
    if (!type || ascii_lower(*type).rfind("application/json", 0) != 0)
        return make_error(ErrorKind::unsupported_media_type, "unsupported_media_type");
    json body;
    try {
        body = json::parse(req.body);
    } catch (const json::parse_error& e) {
        // Where it went wrong, in nlohmann's words after its prefix.
        const std::string what = e.what();
        const auto colon = what.rfind(':');
        return make_error(
            ErrorKind::invalid, "malformed_json",
            {{"detail", "byte " + std::to_string(e.byte) + ": " +
                            escape_untrusted(colon == std::string::npos ? what : what.substr(colon + 2), 200)}});
    }
    if (!body.is_object()) return make_error(ErrorKind::invalid, "expected_object");
    return body;
}

bool expect_object(const json& body, const std::string& path, Problems& problems) {
    if (body.is_object()) return true;
    problems.push_back({path.empty() ? "" : path.substr(0, path.size() - 1), "invalid_type", {{"expected", "object"}}});
    return false;
}

ObjectReader::ObjectReader(const json& obj, std::string path, Problems& problems, std::set<std::string> read_only)
    : obj_(obj), path_(std::move(path)), problems_(problems), read_only_(std::move(read_only)) {}

ObjectReader::~ObjectReader() {
    for (auto it = obj_.begin(); it != obj_.end(); ++it) {
        if (!seen_.count(it.key()) && !read_only_.count(it.key())) problem(it.key(), "unknown_field");
    }
}

const json* ObjectReader::field(const char* key) {
    seen_.insert(key);
    const auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
}

void ObjectReader::problem(const std::string& key, std::string code, Params params) {
    problems_.push_back({path_ + key, std::move(code), std::move(params)});
}

const std::string* ObjectReader::text(const char* key, bool& present) {
    const json* v = field(key);
    present = v != nullptr;
    return v ? v->get_ptr<const std::string*>() : nullptr;
}

std::optional<std::string> ObjectReader::string(const char* key, Null null) {
    const json* v = field(key);
    if (!v) return std::nullopt;
    if (v->is_null() && null == Null::empty) return std::string();
    if (!v->is_string()) {
        problem(key, "invalid_type", {{"expected", "string"}});
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<std::string> ObjectReader::required_string(const char* key) {
    const json* v = field(key);
    if (!v || v->is_null()) {
        problem(key, "required");
        return std::nullopt;
    }
    return string(key);
}

std::optional<std::int64_t> ObjectReader::integer(const char* key) {
    const json* v = field(key);
    if (!v) return std::nullopt;
    if (!v->is_number_integer()) {
        problem(key, "invalid_type", {{"expected", "integer"}});
        return std::nullopt;
    }
    return v->get<std::int64_t>();
}

std::optional<std::optional<std::int64_t>> ObjectReader::nullable_integer(const char* key) {
    const json* v = field(key);
    if (!v) return std::nullopt;
    if (v->is_null()) return std::optional<std::int64_t>();
    return integer(key);
}

std::optional<bool> ObjectReader::boolean(const char* key) {
    const json* v = field(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
        problem(key, "invalid_type", {{"expected", "boolean"}});
        return std::nullopt;
    }
    return v->get<bool>();
}

std::optional<std::optional<bool>> ObjectReader::nullable_boolean(const char* key) {
    const json* v = field(key);
    if (!v) return std::nullopt;
    std::optional<std::optional<bool>> out;
    if (v->is_null()) {
        out.emplace(std::nullopt);  // "null": clear it
    } else if (v->is_boolean()) {
        out.emplace(v->get<bool>());
    } else {
        problem(key, "invalid_type", {{"expected", "boolean_or_null"}});
    }
    return out;
}

std::optional<std::optional<UnixMs>> ObjectReader::nullable_date(const char* key, const TimeZone& zone) {
    const json* v = field(key);
    if (!v) return std::nullopt;
    if (v->is_null()) return std::optional<UnixMs>();
    if (v->is_string()) {
        if (auto t = parse_date_time(v->get<std::string>(), zone)) return std::optional<UnixMs>(*t);
    }
    problem(key, "invalid_date");
    return std::nullopt;
}

const json* ObjectReader::object(const char* key) {
    return of_type(*this, key, field(key), json::value_t::object, "object");
}

const json* ObjectReader::array(const char* key) {
    return of_type(*this, key, field(key), json::value_t::array, "array");
}

const json* ObjectReader::required_array(const char* key) {
    const json* v = field(key);
    if (!v || v->is_null()) {
        problem(key, "required");
        return nullptr;
    }
    return array(key);
}

}  // namespace relais
