namespace Kiln.Api;

/// <summary>Lotus API permissions (api/permissioned.go). A token allows a method only if it lists the method's permission exactly.</summary>
public static class Permission
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Sign = "sign";
    public const string Admin = "admin";

    /// <summary>Every permission, as a full-access token carries them.</summary>
    public static readonly IReadOnlyList<string> All = [Read, Write, Sign, Admin];

    /// <summary>What a call without a token is allowed.</summary>
    public static readonly IReadOnlyList<string> Default = [Read];
}
