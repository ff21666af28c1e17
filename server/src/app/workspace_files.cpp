#include "workspace_files.hpp"

#include "responses.hpp"

#include <string>

namespace relais {

HttpResponse workspace_file(StaticFiles& files, const HttpRequest& req, std::string_view lang) {
    if (req.method != Method::get && req.method != Method::head) {
        HttpResponse r = html_error_page(405, lang);
        r.status = 405;
        r.header("Allow", "GET, HEAD");
        return r;
    }
    std::string file;
    const std::string& path = req.path;
    if (path == "/favicon.ico") {
        file = "favicon.ico";
    } else if (path.rfind("/assets/customer/", 0) == 0) {
        file = path.substr(8);  // the customer page's assets, for the preview below
    } else if (path.rfind("/assets/", 0) == 0) {
        file = "workspace" + path;
    } else if (path.rfind("/preview/offers/", 0) == 0) {
        // "What the customer sees now": the customer page in read-only preview mode; its
        // script reads the offer through the advisor's API.
        file = "customer/index.html";
    } else if (path == "/" || path == "/login" || path == "/account" || path == "/setup" || path == "/callbacks" ||
               path == "/repair-orders" || path.rfind("/repair-orders/", 0) == 0 || path.rfind("/admin/", 0) == 0 ||
               path == "/admin") {
        file = "workspace/index.html";  // the single-page workspace routes in the browser
    } else {
        return html_error_page(404, lang);
    }
    auto f = files.get(file);
    if (!f) return html_error_page(404, lang);
    return static_file_response(req, **f);
}

}  // namespace relais
