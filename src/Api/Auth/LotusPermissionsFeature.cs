namespace Kiln.Api.Auth;

/// <summary>The permissions <see cref="LotusAuthMiddleware"/> established for a request.</summary>
public sealed class LotusPermissionsFeature(IReadOnlyList<string> permissions)
{
    public IReadOnlyList<string> Permissions { get; } = permissions;
}
