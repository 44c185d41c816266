namespace Kiln.Testing.Chain.Cbor;

/// <summary>What a decoded CBOR data item is (RFC 8949 major types, with the simple values cbor-gen writes split out).</summary>
public enum CborKind
{
    /// <summary>Major type 0.</summary>
    UnsignedInteger,

    /// <summary>Major type 1: the value is −1 − the head's argument.</summary>
    NegativeInteger,

    /// <summary>Major type 2.</summary>
    ByteString,

    /// <summary>Major type 3 (UTF-8).</summary>
    TextString,

    /// <summary>Major type 4.</summary>
    Array,

    /// <summary>Major type 5.</summary>
    Map,

    /// <summary>Major type 6 (only tag 42, the IPLD CID tag, is accepted).</summary>
    Tag,

    /// <summary>Major type 7, simple values 20 and 21.</summary>
    Boolean,

    /// <summary>Major type 7, simple value 22.</summary>
    Null,
}
