#include "phone.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <set>

namespace relais {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

class LibPhoneNumbers final : public PhoneNumbers {
public:
    explicit LibPhoneNumbers(std::string region) : region_(std::move(region)), util_(*PhoneNumberUtil::GetInstance()) {}

    Result<std::string> normalize(std::string_view input) const override {
        PhoneNumber number;
        const auto err = util_.Parse(std::string(input), region_, &number);
        switch (err) {
            case PhoneNumberUtil::NO_PARSING_ERROR: break;
            case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
                return make_error(ErrorKind::invalid, "phone_invalid_country");
            case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
            case PhoneNumberUtil::TOO_SHORT_NSN: return make_error(ErrorKind::invalid, "phone_too_short");
            case PhoneNumberUtil::TOO_LONG_NSN: return make_error(ErrorKind::invalid, "phone_too_long");
            default: return make_error(ErrorKind::invalid, "phone_not_a_number");
        }
        switch (util_.IsPossibleNumberWithReason(number)) {
            case PhoneNumberUtil::IS_POSSIBLE:
            case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY: break;
            case PhoneNumberUtil::INVALID_COUNTRY_CODE: return make_error(ErrorKind::invalid, "phone_invalid_country");
            case PhoneNumberUtil::TOO_SHORT: return make_error(ErrorKind::invalid, "phone_too_short");
            case PhoneNumberUtil::TOO_LONG: return make_error(ErrorKind::invalid, "phone_too_long");
            default: return make_error(ErrorKind::invalid, "phone_invalid");
        }
        if (!util_.IsValidNumber(number)) return make_error(ErrorKind::invalid, "phone_invalid");
        std::string out;
        util_.Format(number, PhoneNumberUtil::E164, &out);
        return out;
    }

    std::string display(std::string_view e164) const override {
        PhoneNumber number;
        if (util_.Parse(std::string(e164), region_, &number) != PhoneNumberUtil::NO_PARSING_ERROR)
            return std::string(e164);
        std::string out;
        std::string region_of_number;
        util_.GetRegionCodeForNumber(number, &region_of_number);
        util_.Format(number, region_of_number == region_ ? PhoneNumberUtil::NATIONAL : PhoneNumberUtil::INTERNATIONAL,
                     &out);
        return out;
    }

    bool can_receive_sms(std::string_view e164) const override {
        PhoneNumber number;
        if (util_.Parse(std::string(e164), region_, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
        const auto type = util_.GetNumberType(number);
        return type == PhoneNumberUtil::MOBILE || type == PhoneNumberUtil::FIXED_LINE_OR_MOBILE ||
               type == PhoneNumberUtil::UNKNOWN;
    }

private:
    std::string region_;
    const PhoneNumberUtil& util_;
};

}  // namespace

std::unique_ptr<PhoneNumbers> make_phone_numbers(std::string region) {
    return std::make_unique<LibPhoneNumbers>(std::move(region));
}

bool phone_region_supported(std::string_view region) {
    std::set<std::string> regions;
    PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
    return regions.count(std::string(region)) > 0;
}

}  // namespace relais
