namespace EnrichProxy.Configuration;

/// <summary>
/// The configuration being checked: the one the app runs on, or a changed one before it is accepted. Checks that read
/// raw settings (a route's policy name against the policies) read this, not the app's live <see cref="IConfiguration"/>.
/// </summary>
internal sealed record CheckedConfiguration(IConfiguration Value);
