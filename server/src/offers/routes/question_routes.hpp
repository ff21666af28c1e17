#pragma once
// The workspace API's questions on items (docs/API.md, "Offers"): the threads of an RO's items,
// and the advisor's answer to one. Without the question service they answer 503.

#include "api_routes.hpp"
#include "questions.hpp"

namespace relais {

struct QuestionRoutesDeps {
    QuestionService* questions;  // none: 503 offers_unavailable
};

/// The service in `deps` must outlive `routes`.
void add_question_routes(ApiRoutes& routes, QuestionRoutesDeps deps);

}  // namespace relais
