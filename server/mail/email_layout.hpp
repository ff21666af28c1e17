#pragma once
// How every Relais email looks: one HTML template (a centred 600-pixel table, inline styles
// only, the dealership's name and colour in a header band, a large button for the link and
// the same link as text below it) and the plain-text part that says the same thing on its
// own. Mail clients strip <style> blocks and scripts; tables and inline styles survive.

#include <string>
#include <string_view>
#include <vector>

namespace relais::mail {

struct EmailBrand {
    std::string dealer_name;
    std::string color = "#1f4e79";          // "#rrggbb": header band and button
    std::vector<std::string> footer_lines;  // address, phone, opening hours
};

struct EmailContent {
    std::string language = "fr";  // the lang attribute
    std::string preheader;        // the preview line clients show after the subject
    std::string heading;
    std::vector<std::string> paragraphs;  // plain text; line breaks kept
    std::string button_label;             // empty: no button
    std::string button_url;
    std::string link_intro;  // "If the button does not work, open this address:"
};

struct RenderedEmail {
    std::string html;
    std::string text;
};

/// Every value is escaped for HTML; only http(s) URLs become links.
RenderedEmail render_email(const EmailBrand& brand, const EmailContent& content);

/// "&lt;" etc. for text and attribute values.
std::string html_escape(std::string_view text);

/// Black or white, whichever reads better on `background` ("#rrggbb"), by WCAG contrast.
std::string text_color_on(std::string_view background);

}  // namespace relais::mail
