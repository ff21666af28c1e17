#pragma once
// Expected failures are values: Result<T> holds either a T or an Error (ENGINEERING.md).
// Errors carry stable machine codes and parameters; people-facing sentences are rendered
// later, in the caller's language, by messages.hpp.

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace relais {

using Params = std::vector<std::pair<std::string, std::string>>;

/// One problem with one input field. `field` names it the way the API client sent it
/// ("vehicle.vin", "parties[0].contact_points[1].value").
struct FieldError {
    std::string field;
    std::string code;  // e.g. "required", "too_long", "invalid_phone"
    Params params;     // values for the message template, e.g. {"max", "32"}
};

using Problems = std::vector<FieldError>;

enum class ErrorKind {
    invalid,                 // 400/422: the input is wrong
    not_found,               // 404
    conflict,                // 409: unique key taken
    precondition_failed,     // 412: If-Match names an older version
    unauthorized,            // 401: who are you?
    forbidden,               // 403: you may not
    throttled,               // 429
    too_large,               // 413
    unsupported_media_type,  // 415: a body that is not JSON
    unavailable,             // 503: shutting down, database busy
    internal,                // 500: a bug or the disk; detail is logged, never shown
};

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string code;  // stable machine code, e.g. "validation_failed"
    Params params;
    std::vector<FieldError> fields;
    std::string detail;  // technical detail for logs (and for parse errors, the client)
    int retry_after_s = 0;
};

Error make_error(ErrorKind kind, std::string code, Params params = {});
Error internal_error(std::string detail);
Error validation_error(std::vector<FieldError> fields);
Error not_found_error(std::string what);

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &std::get<0>(v_); }
    const T* operator->() const { return &std::get<0>(v_); }
    T& operator*() & { return std::get<0>(v_); }
    const T& operator*() const& { return std::get<0>(v_); }

    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

private:
    Error error_;
    bool ok_ = true;
};

inline Result<void> success() { return {}; }

}  // namespace relais

#define RELAIS_CONCAT_INNER(a, b) a##b
#define RELAIS_CONCAT(a, b) RELAIS_CONCAT_INNER(a, b)

/// Returns the error of `expr` from the enclosing function if it failed.
#define TRY(expr) TRY_IMPL(RELAIS_CONCAT(relais_try_, __COUNTER__), expr)
#define TRY_IMPL(tmp, expr)                      \
    do {                                         \
        auto tmp = (expr);                       \
        if (!tmp) return std::move(tmp).error(); \
    } while (0)

/// `TRY_ASSIGN(auto x, f());` declares x from f()'s value, or returns f()'s error.
#define TRY_ASSIGN(decl, expr) TRY_ASSIGN_IMPL(RELAIS_CONCAT(relais_try_, __COUNTER__), decl, expr)
#define TRY_ASSIGN_IMPL(tmp, decl, expr)     \
    auto tmp = (expr);                       \
    if (!tmp) return std::move(tmp).error(); \
    decl = std::move(tmp).value()
