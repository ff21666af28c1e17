#include "result.hpp"

namespace relais {

Error make_error(ErrorKind kind, std::string code, Params params) {
    Error e;
    e.kind = kind;
    e.code = std::move(code);
    e.params = std::move(params);
    return e;
}

Error internal_error(std::string detail) {
    Error e = make_error(ErrorKind::internal, "internal");
    e.detail = std::move(detail);
    return e;
}

Error validation_error(std::vector<FieldError> fields) {
    Error e = make_error(ErrorKind::invalid, "validation_failed");
    e.fields = std::move(fields);
    return e;
}

Error not_found_error(std::string what) {
    return make_error(ErrorKind::not_found, "not_found", {{"what", std::move(what)}});
}

}  // namespace relais
