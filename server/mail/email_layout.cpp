#include "email_layout.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace relais::mail {
namespace {

// The template. {{name}} is replaced by an escaped value or by a block built below; nothing
// else in it varies. Outlook needs the table attributes (cellpadding, width) as well as CSS.
constexpr std::string_view kTemplate = R"(<!DOCTYPE html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{heading}}</title>
</head>
<body style="margin:0;padding:0;background-color:#f2f4f7;">
<div style="display:none;max-height:0;overflow:hidden;color:#f2f4f7;font-size:1px;line-height:1px;">{{preheader}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f2f4f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background-color:#ffffff;border-radius:6px;border:1px solid #dde1e6;">
<tr><td style="background-color:{{color}};color:{{on_color}};padding:18px 28px;border-radius:6px 6px 0 0;font-family:Arial,Helvetica,sans-serif;font-size:20px;font-weight:bold;">{{dealer}}</td></tr>
<tr><td style="padding:28px 28px 8px 28px;font-family:Arial,Helvetica,sans-serif;color:#1c2430;">
<h1 style="margin:0 0 16px 0;font-size:22px;line-height:28px;font-weight:bold;color:#1c2430;">{{heading}}</h1>
{{paragraphs}}</td></tr>
{{button}}<tr><td style="padding:8px 28px 24px 28px;border-top:1px solid #eef0f3;font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:18px;color:#6b7480;">
{{footer}}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
)";

std::string paragraph_html(std::string_view text) {
    std::string out = R"(<p style="margin:0 0 14px 0;font-size:16px;line-height:24px;">)";
    std::size_t start = 0;
    while (true) {
        std::size_t nl = text.find('\n', start);
        out += html_escape(text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        if (nl == std::string_view::npos) break;
        out += "<br>";
        start = nl + 1;
    }
    return out + "</p>\n";
}

bool is_web_link(std::string_view url) { return url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0; }

bool is_hex_color(std::string_view c) {
    if (c.size() != 7 || c[0] != '#') return false;
    for (char ch : c.substr(1))
        if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
    return true;
}

std::string fill(std::string_view tmpl, const std::vector<std::pair<std::string_view, std::string>>& values) {
    std::string out;
    std::size_t i = 0;
    while (i < tmpl.size()) {
        std::size_t open = tmpl.find("{{", i);
        if (open == std::string_view::npos) {
            out += tmpl.substr(i);
            break;
        }
        out += tmpl.substr(i, open - i);
        std::size_t close = tmpl.find("}}", open);
        std::string_view key = tmpl.substr(open + 2, close - open - 2);
        for (const auto& [k, v] : values)
            if (k == key) out += v;
        i = close + 2;
    }
    return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string text_color_on(std::string_view background) {
    if (!is_hex_color(background)) return "#ffffff";
    auto channel = [&](int i) {
        double v = std::strtol(std::string(background.substr(1 + 2 * i, 2)).c_str(), nullptr, 16) / 255.0;
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    double l = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
    double with_white = 1.05 / (l + 0.05);
    double with_black = (l + 0.05) / 0.05;
    return with_white >= with_black ? "#ffffff" : "#111111";
}

RenderedEmail render_email(const EmailBrand& brand, const EmailContent& content) {
    std::string color = is_hex_color(brand.color) ? brand.color : "#1f4e79";
    std::string on_color = text_color_on(color);

    std::string paragraphs;
    for (const auto& p : content.paragraphs) paragraphs += paragraph_html(p);

    std::string button;
    bool link = !content.button_label.empty() && is_web_link(content.button_url);
    if (link) {
        std::string url = html_escape(content.button_url);
        button =
            R"(<tr><td align="center" style="padding:8px 28px 24px 28px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td align="center" bgcolor=")" +
            color + R"(" style="border-radius:6px;background-color:)" + color + R"(;">
<a href=")" +
            url +
            R"(" style="display:inline-block;padding:14px 28px;font-family:Arial,Helvetica,sans-serif;font-size:17px;font-weight:bold;color:)" +
            on_color + R"(;text-decoration:none;border-radius:6px;">)" + html_escape(content.button_label) +
            R"(</a>
</td></tr></table>
<p style="margin:18px 0 0 0;font-family:Arial,Helvetica,sans-serif;font-size:13px;line-height:19px;color:#6b7480;">)" +
            html_escape(content.link_intro) + R"(<br><a href=")" + url +
            R"(" style="color:#1c2430;word-break:break-all;">)" + url + R"(</a></p>
</td></tr>
)";
    }

    std::string footer;
    footer += "<strong>" + html_escape(brand.dealer_name) + "</strong>";
    for (const auto& line : brand.footer_lines) footer += "<br>" + html_escape(line);
    footer += "\n";

    RenderedEmail out;
    out.html = fill(kTemplate, {{"lang", html_escape(content.language)},
                                {"heading", html_escape(content.heading)},
                                {"preheader", html_escape(content.preheader)},
                                {"color", color},
                                {"on_color", on_color},
                                {"dealer", html_escape(brand.dealer_name)},
                                {"paragraphs", paragraphs},
                                {"button", button},
                                {"footer", footer}});

    // The text part stands alone: people with text-only clients (and spam filters, which
    // compare both parts) get the same message and the same link.
    out.text = content.heading + "\n\n";
    for (const auto& p : content.paragraphs) out.text += p + "\n\n";
    if (link) out.text += content.button_label + "\n" + content.button_url + "\n\n";
    out.text += "-- \n" + brand.dealer_name + "\n";
    for (const auto& line : brand.footer_lines) out.text += line + "\n";
    return out;
}

}  // namespace relais::mail
