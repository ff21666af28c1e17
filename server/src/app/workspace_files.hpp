#pragma once
// The advisor workspace's files on the lan listener: the single-page workspace for each of its
// addresses, its assets, and the customer page in read-only preview mode. Nothing else of the
// web root is served.

#include "http.hpp"
#include "static_files.hpp"

#include <string_view>

namespace relais {

/// A GET or HEAD of a workspace path (405 for any other method, an HTML 404 for a path that is
/// none); error pages in `lang`.
HttpResponse workspace_file(StaticFiles& files, const HttpRequest& req, std::string_view lang);

}  // namespace relais
