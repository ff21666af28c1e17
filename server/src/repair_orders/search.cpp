#include "search.hpp"

#include "text.hpp"

#include <algorithm>

namespace relais {

std::string search_document(const RepairOrder& ro) {
    std::string doc;
    if (ro.deleted_at) return doc;  // a deleted repair order is found by no search
    const auto add = [&doc](std::string_view part) {
        const std::string folded = fold_for_search(part);
        if (folded.empty()) return;
        if (!doc.empty()) doc += " | ";
        doc += folded;
    };
    add(ro.number);
    add(ro.vehicle.plate);
    add(compact_alnum(ro.vehicle.plate));
    add(ro.vehicle.vin);
    add(ro.vehicle.make + " " + ro.vehicle.model);
    for (const Party& p : ro.parties) {
        add(p.first_name + " " + p.last_name);
        add(p.last_name + " " + p.first_name);
        add(p.company_name);
        for (const ContactPoint& cp : p.contact_points) {
            add(cp.value);
            if (cp.kind == ContactKind::phone && cp.value.size() > 4 && cp.value.rfind("+33", 0) == 0) {
                add("0" + cp.value.substr(3));  // the French national form people type: 0612345678
            }
        }
    }
    return doc;
}

SearchQuery parse_search_query(std::string_view text) {
    SearchQuery q;
    std::string folded = fold_for_search(text);
    // Phone numbers are typed with spaces, dots or dashes ("06 12 34 56 78"): one word.
    std::string digits;
    bool phone_like = !folded.empty();
    for (char c : folded) {
        if ((c >= '0' && c <= '9') || c == '+') {
            digits += c;
        } else if (c != ' ' && c != '.' && c != '-') {
            phone_like = false;
        }
    }
    if (phone_like && digits.size() >= 6) folded = digits;
    std::size_t start = 0;
    while (start < folded.size()) {
        std::size_t end = folded.find(' ', start);
        if (end == std::string::npos) end = folded.size();
        std::string word = folded.substr(start, end - start);
        start = end + 1;
        if (word.empty()) continue;
        std::string quoted = "\"";
        for (char c : word) {
            quoted += c;
            if (c == '"') quoted += '"';
        }
        quoted += '"';
        if (utf8_length(word) >= 3) {
            if (!q.substring_match.empty()) q.substring_match += " AND ";
            q.substring_match += quoted;
        } else if (std::any_of(word.begin(), word.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
                   })) {
            // Punctuation alone ("-", "/") has no word to start: it is left out.
            if (!q.prefix_match.empty()) q.prefix_match += " AND ";
            q.prefix_match += quoted + "*";
        }
    }
    return q;
}

}  // namespace relais
