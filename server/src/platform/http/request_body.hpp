#pragma once
// Request bodies as the HTTP applications read them, without I/O: a JSON object checked for
// size, media type and syntax, then its fields read by ObjectReader. One set of error codes for
// every body of the API (docs/API.md, "Errors"): a wrong type is `invalid_type` with what was
// `expected`, a missing field `required`, an unknown word `invalid_choice` with the `choices`, a
// date that does not read `invalid_date`, a field nobody reads `unknown_field`. Fuzzed by
// tests/fuzz/fuzz_http_request.cpp.

#include "enum_names.hpp"
#include "http.hpp"
#include "result.hpp"
#include "timezone.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace relais {

/// The body of `req` as a JSON object: {} when empty; 413 body_too_large past `max_bytes`,
/// 415 unsupported_media_type when not application/json, 400 malformed_json (with where) or
/// expected_object.
Result<nlohmann::json> read_json_object(const HttpRequest& req, std::size_t max_bytes);

/// Whether `body` is an object; if not, an `invalid_type` problem at `path` ("" for the whole
/// body, else a prefix such as "parties[0]." as ObjectReader takes it).
bool expect_object(const nlohmann::json& body, const std::string& path, Problems& problems);

/// Reads the fields of one JSON object (`obj` must be one: see expect_object), recording each
/// problem with its path (`path` + the field's name), and at its end an `unknown_field` for each
/// field that was not read and is not `read_only` (fields that only appear in responses, so a
/// client may send back what it read). Each reader returns nullopt when the field is absent or
/// wrong. `obj` and `problems` must outlive the reader; read the problems once it has ended.
class ObjectReader {
public:
    /// What null stands for in a text field: "" (a patch clears the field), or a wrong type.
    enum class Null { empty, refused };

    ObjectReader(const nlohmann::json& obj, std::string path, Problems& problems, std::set<std::string> read_only = {});
    ~ObjectReader();
    ObjectReader(const ObjectReader&) = delete;
    ObjectReader& operator=(const ObjectReader&) = delete;

    /// The field as it is (marked read), or null when absent.
    const nlohmann::json* field(const char* key);
    void problem(const std::string& key, std::string code, Params params = {});

    std::optional<std::string> string(const char* key, Null null = Null::empty);
    /// Absent or null: `required`.
    std::optional<std::string> required_string(const char* key);
    std::optional<std::int64_t> integer(const char* key);
    /// Null: clear it (an engaged optional holding nullopt).
    std::optional<std::optional<std::int64_t>> nullable_integer(const char* key);
    std::optional<bool> boolean(const char* key);
    std::optional<std::optional<bool>> nullable_boolean(const char* key);
    std::optional<std::optional<UnixMs>> nullable_date(const char* key, const TimeZone& zone);
    const nlohmann::json* object(const char* key);
    const nlohmann::json* array(const char* key);
    /// Absent or null: `required`.
    const nlohmann::json* required_array(const char* key);

    /// One of the enum's words (enum_names.hpp); anything else is `invalid_choice`.
    template <NamedEnum E>
    std::optional<E> enumeration(const char* key) {
        bool present = false;
        const std::string* word = text(key, present);
        if (!present) return std::nullopt;
        if (word) {
            if (auto e = parse_enum<E>(*word)) return e;
        }
        problem(key, "invalid_choice", {{"choices", enum_choices<E>()}});
        return std::nullopt;
    }

    const std::string& path() const { return path_; }
    Problems& problems() { return problems_; }

private:
    // The field's text when it is a string; `present` says whether the field is there at all.
    const std::string* text(const char* key, bool& present);

    const nlohmann::json& obj_;
    std::string path_;
    Problems& problems_;
    std::set<std::string> read_only_;
    std::set<std::string> seen_;
};

}  // namespace relais
