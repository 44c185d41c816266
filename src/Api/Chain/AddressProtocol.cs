namespace Kiln.Api.Chain;

/// <summary>go-address protocols: the first byte of an address's bytes and the digit after its network letter.</summary>
public enum AddressProtocol : byte
{
    /// <summary>f0…: an actor id, the payload its unsigned LEB128.</summary>
    Id = 0,

    /// <summary>f1…: blake2b-160 of a secp256k1 public key.</summary>
    Secp256k1 = 1,

    /// <summary>f2…: blake2b-160 of an actor's creation data.</summary>
    Actor = 2,

    /// <summary>f3…: a 48-byte BLS public key.</summary>
    Bls = 3,

    /// <summary>f4{namespace}f…: a namespace actor id and a sub-address of up to 54 bytes.</summary>
    Delegated = 4,
}
