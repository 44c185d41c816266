namespace Kiln.Proofs.Sdr;

/// <summary>Which SHA-256 implementation labels a layer. Both produce identical bytes.</summary>
public enum LabelKernel
{
    /// <summary>The SHA-NI kernel when it is built and the CPU supports it, else managed.</summary>
    Auto,

    /// <summary>The native SHA-NI kernel; an error when it is unavailable.</summary>
    Native,

    /// <summary>.NET's SHA-256 over the assembled 1248-byte message.</summary>
    Managed,
}
