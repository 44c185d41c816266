namespace Kiln.Proofs;

/// <summary>
/// rust-fil-proofs <c>ApiVersion</c> (storage-proofs-core/src/api_version.rs), carried by both PoRep and PoSt configs;
/// not Lotus's <c>api.Version</c>. 1.0.0 selects the legacy SDR graph; 1.1.0 and 1.2.0 label identically.
/// </summary>
public enum ProofsApiVersion
{
    V1_0_0,
    V1_1_0,
    V1_2_0,
}
