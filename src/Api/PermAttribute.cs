namespace Kiln.Api;

/// <summary>The permission a JSON-RPC method requires (Lotus's <c>//perm:</c> tag).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class PermAttribute(string permission) : Attribute
{
    public string Permission { get; } = permission;
}
