using System.ComponentModel.DataAnnotations;

namespace EnrichProxy.Configuration;

/// <summary>
/// The bounds of a setting, whose error names it as it is configured (<c>EnrichProxy:Queue:Workers must be between 1 and 256.</c>).
/// A <see cref="RangeAttribute"/> of our own also keeps its <see cref="ValidationAttribute.ErrorMessage"/>, which the options
/// validator generator drops from the framework's.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SettingRangeAttribute : RangeAttribute
{
    private const string DefaultMessage = "{0} must be between {1} and {2}.";

    public SettingRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum) => ErrorMessage = DefaultMessage;

    public SettingRangeAttribute(Type type, string minimum, string maximum)
        : base(type, minimum, maximum)
    {
        ErrorMessage = DefaultMessage;
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
    }

    public override string FormatErrorMessage(string name) => base.FormatErrorMessage(SettingPath.Of(name));

    // Without member names: the message names the setting already, and the validator would put the member's name before it.
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        return IsValid(value) ? ValidationResult.Success : new ValidationResult(FormatErrorMessage(validationContext.DisplayName));
    }
}
