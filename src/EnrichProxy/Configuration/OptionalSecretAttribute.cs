using System.ComponentModel.DataAnnotations;

namespace EnrichProxy.Configuration;

/// <summary>A key that may be left unset (its feature is then off), but when set is long enough to be worth guessing at nothing.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class OptionalSecretAttribute : ValidationAttribute
{
    public OptionalSecretAttribute(int minimumLength)
        : base("{0} must be at least {1} characters long.") => MinimumLength = minimumLength;

    public int MinimumLength { get; }

    public override bool IsValid(object? value) => value is not string { Length: > 0 } text || text.Length >= MinimumLength;

    public override string FormatErrorMessage(string name) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, ErrorMessageString, SettingPath.Of(name), MinimumLength);

    // Without member names: the message names the setting already (see SettingRangeAttribute).
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        return IsValid(value) ? ValidationResult.Success : new ValidationResult(FormatErrorMessage(validationContext.DisplayName));
    }
}
