namespace Kiln.Stores.Remote;

/// <summary>How <see cref="VanillaProofReader"/> reaches other hosts' <c>/remote</c>.</summary>
public sealed class VanillaReaderOptions
{
    /// <summary>The admin token sent as <c>Authorization: Bearer …</c> to other hosts' <c>/remote</c> (null = none).</summary>
    public string? AuthToken { get; set; }
}
