namespace Kiln.Api;

/// <summary>
/// Marks an interface served over JSON-RPC: method <c>XAsync</c> is called as <c>{Namespace}.X</c>
/// (go-jsonrpc's default formatter), "Filecoin" for every Lotus API.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false)]
public sealed class RpcNamespaceAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
