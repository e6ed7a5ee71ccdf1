using Microsoft.Extensions.Options;

namespace EnrichProxy.Configuration;

/// <summary>
/// The plain bounds of the settings (their data annotations), checked by a source-generated validator. Rules
/// that span settings or need parsing are checked by the feature that owns them, and every error is reported together.
/// </summary>
[OptionsValidator]
internal sealed partial class EnrichProxyOptionsBounds : IValidateOptions<EnrichProxyOptions>;
