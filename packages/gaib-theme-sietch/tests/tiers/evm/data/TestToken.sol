// SPDX-License-Identifier: MIT
// Contracts the EVM holder source's tests deploy on eth-tester (py-evm). Compiled by compile.js
// into contracts.json; edit this file, then regenerate (see compile.js).
pragma solidity 0.8.28;

/// A minimal ERC-20: what the EVM holder source reads (balanceOf, decimals), and what the tests
/// need to set balances up (mint by the deployer, transfer).
contract TestToken {
    string public constant name = "Test BGT";
    string public constant symbol = "tBGT";
    uint8 public immutable decimals;
    address public immutable minter;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(uint8 decimals_) {
        decimals = decimals_;
        minter = msg.sender;
    }

    function mint(address to, uint256 value) external {
        require(msg.sender == minter, "only the deployer mints");
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(balanceOf[msg.sender] >= value, "balance too low");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}

/// A contract that is not a token: it has code, but no balanceOf (every call reverts).
contract NotAToken {
    uint256 public counter;

    function bump() external {
        counter += 1;
    }
}
