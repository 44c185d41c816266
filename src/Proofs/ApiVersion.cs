namespace Kiln.Proofs;

/// <summary>rust-fil-proofs ApiVersion. 1.0.0 selects the legacy SDR graph; 1.1.0 and 1.2.0 label identically.</summary>
public enum ApiVersion
{
    V1_0_0,
    V1_1_0,
    V1_2_0,
}
