namespace Kiln.Testing.Chain;

/// <summary>How a method set to answer garbage answers.</summary>
public enum GarbageKind
{
    /// <summary>A body that is not JSON (a truncated object).</summary>
    MalformedJson,

    /// <summary>Well-formed JSON-RPC whose result has the wrong shape (a string where Lotus answers an object, an object where it answers a number).</summary>
    WrongShape,
}
