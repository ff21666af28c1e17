#include "box_names.hpp"

#include "text.hpp"

#include <unistd.h>

namespace relais {

std::string box_host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return {};
    return name;
}

std::vector<std::string> box_names() {
    const std::string name = ascii_lower(box_host_name());
    if (name.empty()) return {};
    return {name, name + ".local"};
}

}  // namespace relais
