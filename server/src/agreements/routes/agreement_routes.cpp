#include "agreement_routes.hpp"

#include "agreement_json.hpp"
#include "responses.hpp"

#include <nlohmann/json.hpp>

namespace relais {
namespace {

class AgreementRoutes {
public:
    explicit AgreementRoutes(AgreementRoutesDeps deps) : d(deps) {}

    HttpResponse list(ApiContext& ctx, const PathParams&) {
        return list_response(ctx, d.agreements.list(), agreement_json::agreement);
    }

    HttpResponse get(ApiContext& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("agreement"));
        auto a = d.agreements.get(*id);
        if (!a) return respond(ctx, a.error());
        return json_response(200, agreement_json::agreement(*a));
    }

    HttpResponse create(ApiContext& ctx, const PathParams&) {
        Problems problems;
        AgreementPatch patch = agreement_json::parse_agreement(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto a = d.agreements.create(patch, actor_of(*ctx.who));
        if (!a) return respond(ctx, a.error());
        return json_response(201, agreement_json::agreement(*a));
    }

    HttpResponse update(ApiContext& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("agreement"));
        Problems problems;
        AgreementPatch patch = agreement_json::parse_agreement(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto a = d.agreements.update(*id, patch, actor_of(*ctx.who));
        if (!a) return respond(ctx, a.error());
        return json_response(200, agreement_json::agreement(*a));
    }

private:
    AgreementRoutesDeps d;
};

}  // namespace

void add_agreement_routes(ApiRoutes& routes, AgreementRoutesDeps deps) {
    using R = AgreementRoutes;
    const auto h = std::make_shared<R>(deps);
    routes.add(Method::get, "/api/v1/agreements", RouteAccess::principal, h, &R::list);
    routes.add(Method::post, "/api/v1/agreements", RouteAccess::admin, h, &R::create);
    routes.add(Method::get, "/api/v1/agreements/{id}", RouteAccess::principal, h, &R::get);
    routes.add(Method::patch, "/api/v1/agreements/{id}", RouteAccess::admin, h, &R::update);
}

}  // namespace relais
