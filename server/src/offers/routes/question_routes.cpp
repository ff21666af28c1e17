#include "question_routes.hpp"

#include "request_body.hpp"
#include "responses.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

namespace relais {
namespace {

using json = nlohmann::json;

json question_json(const ItemQuestion& q) {
    return {{"id", q.id},
            {"offer_id", q.offer_id},
            {"ro_id", q.ro_id},
            {"intervention_id", q.intervention_id},
            {"author", to_string(q.author)},
            {"text", q.text},
            {"at", format_utc(q.at)},
            {"by", q.by_name},
            {"told_at", q.told_at ? json(format_utc(*q.told_at)) : json()}};
}

class QuestionRoutes {
public:
    explicit QuestionRoutes(QuestionRoutesDeps deps) : d(deps) {}

    HttpResponse list(ApiContext& ctx, const PathParams& p) {
        if (!d.questions) return respond(ctx, make_error(ErrorKind::unavailable, "offers_unavailable"));
        const auto ro_id = p.id("id");
        if (!ro_id) return respond(ctx, not_found_error("repair_order"));
        return list_response(ctx, d.questions->list(*ro_id), question_json);
    }

    // {"text": "..."}
    HttpResponse answer(ApiContext& ctx, const PathParams& p) {
        if (!d.questions) return respond(ctx, make_error(ErrorKind::unavailable, "offers_unavailable"));
        const auto ro_id = p.id("id");
        const auto intervention_id = p.id("intervention_id");
        if (!ro_id || !intervention_id) return respond(ctx, not_found_error("repair_order"));
        Problems problems;
        std::optional<std::string> text;
        {
            ObjectReader r(ctx.body, "", problems);  // its end names the unknown fields
            text = r.required_string("text");
        }
        if (!problems.empty() || !text) return shape_problems(ctx, problems);
        auto done = d.questions->answer(*ro_id, *intervention_id, std::move(*text), actor_of(*ctx.who));
        if (!done) return respond(ctx, done.error());
        return json_response(201, question_json(*done));
    }

private:
    QuestionRoutesDeps d;
};

}  // namespace

void add_question_routes(ApiRoutes& routes, QuestionRoutesDeps deps) {
    using R = QuestionRoutes;
    const auto h = std::make_shared<R>(deps);
    constexpr auto any = RouteAccess::principal;
    routes.add(Method::get, "/api/v1/repair-orders/{id}/questions", any, h, &R::list);
    routes.add(Method::post, "/api/v1/repair-orders/{id}/questions/{intervention_id}/answers", any, h, &R::answer);
}

}  // namespace relais
